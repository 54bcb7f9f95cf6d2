// Moving appointments in the day diary: drag a block to another time or therapist, or focus it,
// press M, choose the place with the arrow keys and press Enter (Escape cancels). The move is
// POSTed to the server, which books it through the booking service; the block only ever moves
// when the server says it has (the live diary then draws the grid again), so a refused move
// "springs back": the outline returns to where the block is and the refusal is read out.
//
// No inline script anywhere (strict CSP): this file reads what it needs from data attributes.
// The outline is positioned through the CSSOM (element.style), which the CSP allows.
(function () {
  "use strict";

  var main = document.querySelector(".diary-main[data-move-url]");
  if (!main) return;
  var moveUrl = main.getAttribute("data-move-url");
  var statusBox = document.getElementById("diary-status");
  var alertBox = document.getElementById("diary-alert");
  var csrfInput = document.querySelector("#diary-move-form input[name=csrfmiddlewaretoken]");

  var moving = null; // keyboard move: {pk, version, name, target: {row, col}, home: {row, col}, span}
  var dragging = null; // drag move: {pk, version, name, grab, span, home}
  var ghost = null;
  var refreshWaiting = false;

  function say(box, text) {
    if (!box) return;
    box.textContent = "";
    // A fresh text node each time, so the same words are read out again.
    window.setTimeout(function () {
      box.textContent = text;
    }, 30);
  }

  function table() {
    return main.querySelector("table.diary-day");
  }

  function headers() {
    var t = table();
    return t ? Array.prototype.slice.call(t.querySelectorAll("thead th[data-therapist]")) : [];
  }

  function rows() {
    var t = table();
    return t ? Array.prototype.slice.call(t.querySelectorAll("tbody tr[data-start]")) : [];
  }

  function blockById(pk) {
    return document.getElementById("appointment-" + pk);
  }

  // The row whose top edge is nearest `y` (a block lands with its top on a row's top).
  function rowIndexAt(y) {
    var all = rows();
    var best = -1;
    var bestDistance = Infinity;
    for (var i = 0; i < all.length; i++) {
      var distance = Math.abs(all[i].getBoundingClientRect().top - y);
      if (distance < bestDistance) {
        best = i;
        bestDistance = distance;
      }
    }
    return best;
  }

  function colIndexAt(x) {
    var all = headers();
    for (var i = 0; i < all.length; i++) {
      var rect = all[i].getBoundingClientRect();
      if (x >= rect.left && x < rect.right) return i;
    }
    return -1;
  }

  function placeOf(block) {
    var rect = block.closest("td").getBoundingClientRect();
    return { row: rowIndexAt(rect.top), col: colIndexAt(rect.left + rect.width / 2) };
  }

  function spanOf(block) {
    return block.closest("td").rowSpan || 1;
  }

  function describe(target) {
    var row = rows()[target.row];
    var header = headers()[target.col];
    if (!row || !header) return "";
    var time = row.querySelector("th.time").firstChild.textContent.trim();
    return time + " with " + header.getAttribute("data-name");
  }

  // The outline lives in the grid's scrolling box (positioned), so it stays over the right cells
  // when the page above it changes height (a message appears) or the grid scrolls sideways.
  function showGhost(target, span) {
    var row = rows()[target.row];
    var header = headers()[target.col];
    var box = main.querySelector(".diary-scroller");
    if (!row || !header || !box) return;
    if (!ghost) {
      ghost = document.createElement("div");
      ghost.className = "diary-ghost";
      ghost.setAttribute("aria-hidden", "true");
    }
    if (ghost.parentNode !== box) box.appendChild(ghost); // the live diary redrew the grid
    var all = rows();
    var last = all[Math.min(target.row + span - 1, all.length - 1)];
    var origin = box.getBoundingClientRect();
    var top = row.getBoundingClientRect().top;
    var columnRect = header.getBoundingClientRect();
    ghost.style.top = top - origin.top + box.scrollTop + "px";
    ghost.style.left = columnRect.left - origin.left + box.scrollLeft + "px";
    ghost.style.width = columnRect.width + "px";
    ghost.style.height = last.getBoundingClientRect().bottom - top + "px";
    ghost.textContent = describe(target);
  }

  function hideGhost() {
    if (ghost) {
      ghost.remove();
      ghost = null;
    }
  }

  function springBack(home, span) {
    if (!ghost || !home) return hideGhost();
    ghost.classList.add("springing-back");
    // Let the style take hold first, so the move back is animated.
    window.requestAnimationFrame(function () {
      showGhost(home, span);
      window.setTimeout(hideGhost, 600);
    });
  }

  function refresh() {
    var live = document.getElementById("diary-live");
    if (live && window.htmx) window.htmx.trigger(live, "diary-refresh");
  }

  function submit(move, target, done) {
    var row = rows()[target.row];
    var header = headers()[target.col];
    if (!row || !header) return done(false);
    var body = new URLSearchParams();
    body.set("start", row.getAttribute("data-start"));
    body.set("therapist", header.getAttribute("data-therapist"));
    body.set("version", move.version);
    main.classList.add("diary-saving");
    fetch(moveUrl.replace("{pk}", move.pk), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfInput ? csrfInput.value : "",
        "Content-Type": "application/x-www-form-urlencoded",
        Accept: "application/json",
      },
      body: body.toString(),
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok && data.ok, message: data.message };
        });
      })
      .catch(function () {
        return { ok: false, message: "The diary could not reach the server, so nothing was moved. Try again." };
      })
      .then(function (result) {
        main.classList.remove("diary-saving");
        if (result.ok) {
          say(alertBox, "");
          say(statusBox, result.message);
        } else {
          say(alertBox, result.message);
        }
        done(result.ok);
        refresh();
      });
  }

  // --- dragging ---------------------------------------------------------------------------

  main.addEventListener("dragstart", function (event) {
    var block = event.target.closest && event.target.closest("a.block[data-appointment]");
    if (!block) return;
    cancelKeyboardMove(false);
    dragging = {
      pk: block.getAttribute("data-appointment"),
      version: block.getAttribute("data-version"),
      grab: event.clientY - block.closest("td").getBoundingClientRect().top,
      span: spanOf(block),
      home: placeOf(block),
    };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragging.pk);
    main.classList.add("diary-dragging");
  });

  function dragTarget(event) {
    return { row: rowIndexAt(event.clientY - dragging.grab), col: colIndexAt(event.clientX) };
  }

  main.addEventListener("dragover", function (event) {
    if (!dragging) return;
    var target = dragTarget(event);
    if (target.row < 0 || target.col < 0) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    showGhost(target, dragging.span);
  });

  main.addEventListener("drop", function (event) {
    if (!dragging) return;
    event.preventDefault();
    var move = dragging;
    var target = dragTarget(event);
    dragging = null;
    main.classList.remove("diary-dragging");
    if (target.row < 0 || target.col < 0) return springBack(move.home, move.span);
    submit(move, target, function (ok) {
      if (ok) hideGhost();
      else springBack(move.home, move.span);
    });
  });

  main.addEventListener("dragend", function () {
    if (dragging) {
      springBack(dragging.home, dragging.span);
      dragging = null;
    }
    main.classList.remove("diary-dragging");
    if (refreshWaiting) {
      refreshWaiting = false;
      refresh();
    }
  });

  // --- the keyboard -----------------------------------------------------------------------

  function startKeyboardMove(block) {
    var home = placeOf(block);
    moving = {
      pk: block.getAttribute("data-appointment"),
      version: block.getAttribute("data-version"),
      name: block.querySelector(".block-patient").textContent,
      home: home,
      target: { row: home.row, col: home.col },
      span: spanOf(block),
    };
    main.classList.add("diary-moving");
    showGhost(moving.target, moving.span);
    say(
      statusBox,
      "Moving " + moving.name + ". Now at " + describe(moving.target) +
        ". Arrow keys choose the time and therapist, Enter moves, Escape cancels."
    );
  }

  function cancelKeyboardMove(announce) {
    if (!moving) return;
    moving = null;
    main.classList.remove("diary-moving");
    hideGhost();
    if (announce) say(statusBox, "Not moved.");
  }

  main.addEventListener("keydown", function (event) {
    var block = event.target.closest && event.target.closest("a.block[data-appointment]");
    if (!moving) {
      if (block && (event.key === "m" || event.key === "M") && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
        startKeyboardMove(block);
      }
      return;
    }
    var target = moving.target;
    var lastRow = rows().length - 1;
    var lastCol = headers().length - 1;
    if (event.key === "ArrowUp") target.row = Math.max(0, target.row - 1);
    else if (event.key === "ArrowDown") target.row = Math.min(lastRow, target.row + 1);
    else if (event.key === "ArrowLeft") target.col = Math.max(0, target.col - 1);
    else if (event.key === "ArrowRight") target.col = Math.min(lastCol, target.col + 1);
    else if (event.key === "Escape") {
      event.preventDefault();
      return cancelKeyboardMove(true);
    } else if (event.key === "Enter") {
      event.preventDefault();
      var move = moving;
      moving = null;
      main.classList.remove("diary-moving");
      submit(move, move.target, function (ok) {
        if (ok) hideGhost();
        else springBack(move.home, move.span);
      });
      return;
    } else return;
    event.preventDefault();
    showGhost(target, moving.span);
    say(statusBox, describe(target));
  });

  // --- the live diary ----------------------------------------------------------------------

  // While a block is held by the mouse, the grid is not drawn again (the drag would be lost);
  // the next poll after it does.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (dragging && event.target.id === "diary-live") {
      event.preventDefault();
      refreshWaiting = true;
    }
  });

  // A change made elsewhere is shown, never overwritten: if the block being moved from the
  // keyboard was changed at another desk, the move is called off and the change is said.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target.id !== "diary-live" || !moving) return;
    var block = blockById(moving.pk);
    if (!block || block.getAttribute("data-version") !== moving.version) {
      var name = moving.name;
      cancelKeyboardMove(false);
      say(statusBox, "");
      say(
        alertBox,
        name + "'s appointment was just changed at another desk. The diary shows it as it is now; nothing was moved."
      );
      if (block) block.focus();
      return;
    }
    moving.home = placeOf(block);
    showGhost(moving.target, moving.span);
  });
})();
