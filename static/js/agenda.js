/* Upcoming or past, judged again with the reader's clock: a page built weeks ago
   still files a finished event under "past" and hides its registration link.
   Without JavaScript the build-time order stands. */
(function () {
  "use strict";
  var now = Date.now();
  function finished(el) {
    var end = Date.parse(el.getAttribute("data-event-end"));
    return !isNaN(end) && end < now;
  }
  function start(el) {
    return Date.parse(el.getAttribute("data-event-start")) || 0;
  }
  function refreshEmpty(list) {
    var empty = list.querySelector(".empty");
    if (empty) empty.hidden = list.querySelector("[data-event-end]") !== null;
  }
  var upcoming = document.querySelector('[data-events="upcoming"]');
  var past = document.querySelector('[data-events="past"]');
  var moved = false;
  Array.prototype.forEach.call(document.querySelectorAll("[data-event-end]"), function (el) {
    if (!finished(el)) return;
    el.classList.add("is-past");
    Array.prototype.forEach.call(el.querySelectorAll(".registration-row"), function (row) {
      row.remove();
    });
    Array.prototype.forEach.call(el.querySelectorAll(".when-past"), function (note) {
      note.hidden = false;
    });
    if (upcoming && upcoming.contains(el)) {
      moved = true;
      if (!past) { el.remove(); return; }
      // Past events: latest start first.
      var before = null;
      Array.prototype.some.call(past.querySelectorAll("[data-event-end]"), function (other) {
        if (start(other) < start(el)) { before = other; return true; }
        return false;
      });
      past.insertBefore(el, before || past.querySelector(".empty"));
    }
  });
  if (moved) {
    if (upcoming) refreshEmpty(upcoming);
    if (past) refreshEmpty(past);
  }
})();
