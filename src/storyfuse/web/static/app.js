// storyfuse: progressive enhancement only; every page works without this script.
"use strict";
(function () {
  // Move keyboard focus to the sentence a citation marker points at, so that
  // keyboard and screen reader users land on it (the highlight is CSS :target).
  function focusTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    if (!id) {
      return;
    }
    var element = document.getElementById(id);
    if (element && element.classList.contains("sentence")) {
      element.focus();
    }
  }

  // Show stored UTC times in the reader's time zone (the UTC text stays as a tooltip).
  function localTimes() {
    var times = document.querySelectorAll("time[datetime]:not(.relative)");
    for (var i = 0; i < times.length; i += 1) {
      var value = times[i].getAttribute("datetime");
      var moment = new Date(value);
      if (value.length > 10 && !isNaN(moment.getTime())) {
        times[i].title = times[i].textContent;
        times[i].textContent = moment.toLocaleString(undefined, {
          dateStyle: "medium",
          timeStyle: "short",
        });
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    localTimes();
    focusTarget();
  });
  window.addEventListener("hashchange", focusTarget);
})();
