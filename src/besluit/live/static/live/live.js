/* Live meeting pages: one EventSource per page; events refresh the parts that changed.
   Without JavaScript the pages still show the current state on every reload. */
(function () {
  "use strict";
  var root = document.querySelector("[data-live-url]");
  if (!root || !window.EventSource) return;
  var source = new EventSource(root.getAttribute("data-live-url"));
  var connectedOnce = false;

  function refresh(kind) {
    var parts = document.querySelectorAll("[data-live-refresh]");
    Array.prototype.forEach.call(parts, function (el) {
      var kinds = el.getAttribute("data-live-refresh").split(" ");
      if (kinds.indexOf(kind) >= 0 && window.htmx) {
        window.htmx.ajax("GET", el.getAttribute("data-live-src"), { target: el, swap: "outerHTML" });
      }
    });
  }

  function setText(el, field, value) {
    var target = el.querySelector('[data-field="' + field + '"]');
    if (target) target.textContent = value;
  }

  function formatPct(value) {
    var lang = document.documentElement.lang || "nl";
    return Number(value).toLocaleString(lang, { maximumFractionDigits: 1 }) + "%";
  }

  source.addEventListener("participation", function (event) {
    var data = JSON.parse(event.data);
    var boxes = document.querySelectorAll('[data-participation="' + data.poll + '"]');
    Array.prototype.forEach.call(boxes, function (el) {
      setText(el, "voted", data.voted_members);
      setText(el, "eligible", data.eligible_members);
      setText(el, "members-pct", formatPct(data.members_pct));
      setText(el, "weight-pct", formatPct(data.weight_pct));
      var bar = el.querySelector("progress");
      if (bar) bar.value = data.weight_pct;
    });
  });

  // An election round's participation: "12 / 342" on the projector, the console and the
  // election pages, without a reload (elections.selectors.participation_message).
  source.addEventListener("election-participation", function (event) {
    var data = JSON.parse(event.data);
    var boxes = document.querySelectorAll('[data-election-participation="' + data.election + '"]');
    Array.prototype.forEach.call(boxes, function (el) {
      setText(el, "voted", data.voted);
      setText(el, "eligible", data.eligible);
    });
  });

  ["poll-opened", "poll-closed", "poll-countdown", "agenda-item", "speakers", "attendance",
   "election-opened", "election-closed"].forEach(function (kind) {
    source.addEventListener(kind, function () { refresh(kind); });
  });
  source.addEventListener("snapshot", function () {
    // The first snapshot describes the page as rendered; a later one follows a
    // reconnect without a known position, so everything is fetched again.
    if (connectedOnce) ["poll-opened", "agenda-item", "speakers", "election-opened"].forEach(refresh);
    connectedOnce = true;
  });
  source.addEventListener("open", function () { root.setAttribute("data-live-state", "connected"); });
  source.addEventListener("error", function () { root.setAttribute("data-live-state", "reconnecting"); });
})();
