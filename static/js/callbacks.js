// Request a callback: choosing a day or a time of day means "on a particular day", so tick that
// for the patient. The form works the same without this script.
(function () {
  "use strict";
  var form = document.querySelector(".callback-form");
  if (!form) return;
  var dayRadio = form.querySelector('input[name="when"][value="day"]');
  if (!dayRadio) return;
  function pickDay() { dayRadio.checked = true; }
  var day = form.querySelector('select[name="preferred_day"]');
  if (day) day.addEventListener("change", function () { if (day.value) pickDay(); });
  form.querySelectorAll('input[name="preferred_period"]').forEach(function (radio) {
    radio.addEventListener("change", pickDay);
  });
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
