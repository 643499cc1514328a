// hemifacial video review: the timeline under each player is synced both ways with it.
// A click on the timeline (or on an event in the list) seeks the video there; while it
// plays, a cursor moves along the timeline and the event under it is marked in the list.
// Progressive enhancement: without JavaScript the player, the timeline and the forms work.
"use strict";
(function () {
  function timeOf(svg, ev) {
    var pt = svg.createSVGPoint(); pt.x = ev.clientX; pt.y = ev.clientY;
    var local = pt.matrixTransform(svg.getScreenCTM().inverse());
    var x0 = parseFloat(svg.dataset.x0), x1 = parseFloat(svg.dataset.x1), d = parseFloat(svg.dataset.duration);
    return Math.min(Math.max((local.x - x0) / (x1 - x0), 0), 1) * d;
  }

  function seek(video, t) {
    var go = function () { video.currentTime = t; };
    if (video.readyState >= 1) go(); else video.addEventListener("loadedmetadata", go, { once: true });
    if (video.preload === "none") video.load();
  }

  function wire(root) {
    var video = root.querySelector("video.player"), svg = root.querySelector("svg.timeline-svg");
    if (!video || !svg || video.dataset.wired) return;
    video.dataset.wired = "1";
    var cursor = svg.querySelector(".tl-cursor"), rows = root.querySelectorAll("table.events tbody tr");
    var x0 = parseFloat(svg.dataset.x0), x1 = parseFloat(svg.dataset.x1), d = parseFloat(svg.dataset.duration);
    var events = Array.prototype.map.call(svg.querySelectorAll("rect.tl-event"), function (r) {
      var start = parseFloat(r.dataset.start);
      return { el: r, index: r.dataset.index, start: start, end: start + parseFloat(r.getAttribute("width")) / (x1 - x0) * d };
    });
    function draw() {
      var t = video.currentTime, x = x0 + (x1 - x0) * Math.min(t / d, 1);
      cursor.setAttribute("x1", x.toFixed(1)); cursor.setAttribute("x2", x.toFixed(1));
      svg.dataset.cursor = t.toFixed(3);
      events.forEach(function (e) {
        var on = t >= e.start && t <= e.end;
        e.el.classList.toggle("current", on);
        rows.forEach(function (row) { if (row.dataset.index === e.index) row.classList.toggle("current", on); });
      });
    }
    function loop() { draw(); if (!video.paused && !video.ended) window.requestAnimationFrame(loop); }
    video.addEventListener("play", function () { window.requestAnimationFrame(loop); });
    video.addEventListener("timeupdate", draw);
    video.addEventListener("seeked", draw);
    svg.addEventListener("click", function (ev) {
      var hit = ev.target.closest ? ev.target.closest("rect.tl-event") : null;
      seek(video, hit ? parseFloat(hit.dataset.start) : timeOf(svg, ev));
    });
    root.querySelectorAll("button[data-seek]").forEach(function (b) {
      b.addEventListener("click", function () { seek(video, parseFloat(b.dataset.seek)); video.focus(); });
    });
  }

  function init(root) { (root || document).querySelectorAll(".video-review").forEach(wire); }
  document.addEventListener("hemifacial:init", function (ev) { init(ev.detail); });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    var flash = document.querySelector(".flash");
    if (flash) flash.focus();
  });
})();
