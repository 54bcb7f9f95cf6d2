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

  // The health questions: "No to all" answers every question No in one tap; a Yes to a refer
  // question shows the callback button (CSS :has() does this too) and is remembered in a hidden
  // field, so a patient who then switches to No and books is flagged for the therapist.
  function screeningQuestions() {
    var noneApply = document.querySelector("[data-none-apply]");
    if (!noneApply) return;
    var form = noneApply.form;
    var box = document.getElementById("referral-box");
    var earlier = document.getElementById("id_earlier_yes");
    var radios = form.querySelectorAll(".screening-question input[type=radio]");
    function referYes() {
      return form.querySelector(".screening-question[data-outcome=refer] input[value=yes]:checked");
    }
    function update() {
      if (box) box.classList.toggle("is-shown", !!referYes());
    }
    noneApply.addEventListener("change", function () {
      if (!noneApply.checked) return;
      radios.forEach(function (radio) { if (radio.value === "no") radio.checked = true; });
      update();
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (radio.value === "yes" && radio.checked) {
          noneApply.checked = false;
          var question = radio.closest(".screening-question");
          if (earlier && question.getAttribute("data-outcome") === "refer") {
            var keys = earlier.value.split(" ").filter(Boolean);
            var key = question.getAttribute("data-key");
            if (keys.indexOf(key) === -1) keys.push(key);
            earlier.value = keys.join(" ");
          }
        }
        update();
      });
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
      var once = event.submitter && (event.submitter.id === "book-button" || event.submitter.id === "refer-button");
      if (form.dataset.submitted && once) {
        event.preventDefault();
        return;
      }
      if (once) form.dataset.submitted = "1";
    });
  }

  function init() {
    focusErrorSummary();
    linkLengthToTherapists();
    screeningQuestions();
    guardDoubleSubmit();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
