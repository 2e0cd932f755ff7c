/* The closing countdown: every [data-closes-at] element shows the time left: minutes and
   seconds in the last hour, hours or days before that (a written consultation runs for
   weeks). The server refuses ballots after that time whatever this clock says. */
(function () {
  "use strict";
  var nl = (document.documentElement.lang || "nl").indexOf("en") !== 0;
  var words = nl
    ? { done: "de stemming is gesloten", day: "nog 1 dag", days: "nog {n} dagen", hour: "nog 1 uur", hours: "nog {n} uur" }
    : { done: "voting has closed", day: "1 day left", days: "{n} days left", hour: "1 hour left", hours: "{n} hours left" };
  function say(one, many, n) { return n === 1 ? one : many.replace("{n}", n); }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-closes-at]").forEach(function (el) {
      var left = Math.ceil((Date.parse(el.getAttribute("data-closes-at")) - now) / 1000);
      var out = el.querySelector("[data-remaining]");
      if (!out) return;
      if (left <= 0) {
        out.textContent = words.done;
      } else if (left >= 2 * 86400) {
        out.textContent = say(words.day, words.days, Math.floor(left / 86400));
      } else if (left >= 3600) {
        out.textContent = say(words.hour, words.hours, Math.floor(left / 3600));
      } else {
        var m = Math.floor(left / 60), s = left % 60;
        out.textContent = m ? m + ":" + (s < 10 ? "0" : "") + s : s + " s";
      }
      el.classList.toggle("besluit-countdown--ended", left <= 0);
    });
  }
  // Speaking time (the speaker's, a network's): m:ss left, then "time is up".
  var upText = nl ? "tijd is om" : "time is up";
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
