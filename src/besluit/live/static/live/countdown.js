/* The closing countdown: every [data-closes-at] element shows the seconds left.
   The server refuses ballots after that time whatever this clock says. */
(function () {
  "use strict";
  var lang = document.documentElement.lang || "nl";
  var doneText = lang.indexOf("en") === 0 ? "voting has closed" : "de stemming is gesloten";
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-closes-at]").forEach(function (el) {
      var left = Math.ceil((Date.parse(el.getAttribute("data-closes-at")) - now) / 1000);
      var out = el.querySelector("[data-remaining]");
      if (!out) return;
      if (left > 0) {
        var m = Math.floor(left / 60), s = left % 60;
        out.textContent = (m ? m + ":" + (s < 10 ? "0" : "") + s : s + " s");
      } else {
        out.textContent = doneText;
      }
      el.classList.toggle("besluit-countdown--ended", left <= 0);
    });
  }
  // Speaking time (the speaker's, a network's): m:ss left, then "time is up".
  var upText = lang.indexOf("en") === 0 ? "time is up" : "tijd is om";
  function speaking() {
    var now = Date.now();
    document.querySelectorAll("[data-ends-at]").forEach(function (el) {
      var left = Math.ceil((Date.parse(el.getAttribute("data-ends-at")) - now) / 1000);
      var out = el.querySelector("[data-remaining]");
      if (!out) return;
      var m = Math.floor(Math.max(left, 0) / 60), s = Math.max(left, 0) % 60;
      out.textContent = left > 0 ? m + ":" + (s < 10 ? "0" : "") + s : upText;
      el.classList.toggle("live-speaking-time--over", left <= 0);
    });
  }
  function both() { tick(); speaking(); }
  both();
  window.setInterval(both, 1000);
})();
