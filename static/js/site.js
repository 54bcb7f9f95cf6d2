// Progressive enhancements for the public pages. Everything works without this file.
(function () {
  "use strict";

  // An error summary takes focus, so screen-reader and keyboard users hear what went wrong first.
  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (summary) summary.focus();
  }

  // Step 1: therapists who do not offer the chosen length are marked and cannot be picked.
  function linkLengthToTherapists() {
    var lengths = document.querySelectorAll("input[name=length]");
    if (!lengths.length) return;
    function update() {
      var chosen = document.querySelector("input[name=length]:checked");
      document.querySelectorAll("[data-lengths]").forEach(function (card) {
        var offered = card.getAttribute("data-lengths").trim().split(/\s+/);
        var ok = !chosen || offered.indexOf(chosen.value) !== -1;
        var radio = card.querySelector("input");
        card.classList.toggle("is-unavailable", !ok);
        card.querySelector(".therapist-offers").hidden = ok;
        radio.disabled = !ok;
        if (!ok && radio.checked) {
          radio.checked = false;
          document.getElementById("id_therapist_any").checked = true;
        }
      });
    }
    lengths.forEach(function (input) { input.addEventListener("change", update); });
    update();
  }

  // Step 4: answering "yes" to the injury question explains at once why we cannot book online.
  function injuryAdvice() {
    var advice = document.querySelector("[data-show-when-injured]");
    if (!advice) return;
    function update() {
      var yes = document.getElementById("id_recent_injury_yes");
      advice.hidden = !(yes && yes.checked);
    }
    document.querySelectorAll("input[name=recent_injury]").forEach(function (input) {
      input.addEventListener("change", update);
    });
    update();
  }

  // After htmx swaps in a day's times, move focus to their heading so the change is announced.
  document.addEventListener("htmx:afterSettle", function () {
    var heading = document.getElementById("times-heading");
    if (heading) heading.focus({ preventScroll: false });
  });

  // Stop a double tap on "Book" from sending the form twice (the server is safe either way).
  function guardDoubleSubmit() {
    var form = document.getElementById("details-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.submitted && event.submitter && event.submitter.id === "book-button") {
        event.preventDefault();
        return;
      }
      if (event.submitter && event.submitter.id === "book-button") form.dataset.submitted = "1";
    });
  }

  function init() {
    focusErrorSummary();
    linkLengthToTherapists();
    injuryAdvice();
    guardDoubleSubmit();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
