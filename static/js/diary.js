// The diary's "now" line: the server marks the current row when the page is rendered; this keeps
// it in the right place while the page stays open on reception's screen all day, and reloads the
// page every few minutes so bookings made at another desk appear.
(function () {
  "use strict";
  // Looked up each time: the live diary draws the table again when something changes.
  function todaysTable() {
    return document.querySelector("table.diary-day[data-today='1']");
  }

  function markNow() {
    var table = todaysTable();
    if (!table) return;
    var now = Date.now() / 1000;
    var rows = table.querySelectorAll("tbody tr[data-start]");
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      var isNow = Number(row.dataset.start) <= now && now < Number(row.dataset.end);
      row.classList.toggle("now", isNow);
    }
  }

  if (todaysTable()) {
    markNow();
    window.setInterval(markNow, 30 * 1000);
    // Only reload when nobody is in the middle of something on the page.
    window.setInterval(function () {
      if (document.visibilityState === "visible" && document.activeElement === document.body) {
        window.location.reload();
      }
    }, 5 * 60 * 1000);
  }
})();
