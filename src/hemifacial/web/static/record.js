// hemifacial: guided recording in the browser (getUserMedia + MediaRecorder).
// Progressive enhancement: without a camera or MediaRecorder the file upload below is used.
// No inline script or style (strict CSP): only classes, `hidden` and element attributes.
"use strict";
(function () {
  // The page's words and the sentence rule, from app.js (loaded first, on every page).
  var t = window.hemifacialWords.t, sentence = window.hemifacialWords.sentence;
  // Skin chrominance box of Chai & Ngan (1999), used only as a rough "face fills the oval" guide.
  function isSkin(r, g, b) {
    var cb = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b, cr = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
    return cb >= 77 && cb <= 127 && cr >= 133 && cr <= 173;
  }

  // Light and face-size check on a small copy of the preview (inside vs outside the oval).
  function measure(video, canvas) {
    var w = canvas.width = 64, h = canvas.height = Math.max(2, Math.round(64 * video.videoHeight / video.videoWidth));
    var ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, w, h);
    var px = ctx.getImageData(0, 0, w, h).data, o = oval(w, h);
    var s = { inY: 0, inN: 0, outY: 0, outN: 0, skin: 0, left: 0, leftN: 0, right: 0, rightN: 0, rim: 0, rimN: 0 };
    for (var y = 0; y < h; y++) for (var x = 0; x < w; x++) {
      var i = 4 * (y * w + x), r = px[i], g = px[i + 1], b = px[i + 2], lum = 0.299 * r + 0.587 * g + 0.114 * b;
      var d = Math.pow((x - o.cx) / o.rx, 2) + Math.pow((y - o.cy) / o.ry, 2);
      if (d <= 1) {
        s.inY += lum; s.inN++; if (isSkin(r, g, b)) s.skin++;
        if (x < o.cx) { s.left += lum; s.leftN++; } else { s.right += lum; s.rightN++; }
      } else {
        s.outY += lum; s.outN++;
        if (d <= 1.6 && Math.abs(y - o.cy) < o.ry * 0.5) { s.rimN++; if (isSkin(r, g, b)) s.rim++; }
      }
    }
    return {
      light: s.inY / s.inN, back: s.outN ? s.outY / s.outN : 0, fill: s.skin / s.inN,
      rim: s.rimN ? s.rim / s.rimN : 0, sides: Math.abs(s.left / s.leftN - s.right / s.rightN)
    };
  }
  function oval(w, h) { var rx = 0.3 * Math.min(w, h); return { cx: w / 2, cy: h * 0.48, rx: rx, ry: rx * 1.3 }; }

  function verdict(m) {
    var light = m.light < 60 ? t("rec_too_dark")
      : m.light > 215 ? t("rec_too_bright")
      : m.back - m.light > 60 ? t("rec_backlight")
      : m.sides > 40 ? t("rec_uneven")
      : null;
    var size = m.fill < 0.35 ? t("rec_closer")
      : m.rim > 0.6 && m.fill > 0.8 ? t("rec_too_close")
      : null;
    return { light: light, size: size };
  }

  function Recorder(root) {
    this.root = root; this.video = root.querySelector("video"); this.canvas = document.createElement("canvas");
    this.svg = root.querySelector("svg.rec-guide"); this.stream = null; this.timer = null; this.good = 0;
  }
  Recorder.prototype.step = function (name) {
    this.root.querySelectorAll("[data-step]").forEach(function (el) { el.hidden = el.getAttribute("data-step") !== name; });
    var stage = this.root.querySelector(".rec-stage");
    stage.hidden = !(name === "check" || name === "record");
    var heading = this.root.querySelector("[data-step='" + name + "'] h2, [data-step='" + name + "'] h3");
    if (heading) heading.focus();
  };
  Recorder.prototype.fail = function (key) {
    this.stop();
    var msg = this.root.querySelector(".rec-message");
    msg.textContent = t("rec_" + key); this.step("fallback");
    var upload = document.getElementById("upload-heading"); if (upload) upload.scrollIntoView({ block: "nearest" });
  };
  Recorder.prototype.stop = function () {
    clearInterval(this.timer); this.timer = null;
    if (this.stream) this.stream.getTracks().forEach(function (t) { t.stop(); });
    this.stream = null;
  };
  Recorder.prototype.start = function () {
    var self = this;
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "user", width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
      .then(function (stream) {
        self.stream = stream; self.video.srcObject = stream;
        return self.video.play();
      })
      .then(function () { self.check(); })
      .catch(function (err) {
        var n = err && err.name;
        self.fail(n === "NotAllowedError" || n === "SecurityError" ? "denied"
          : n === "NotFoundError" || n === "OverconstrainedError" ? "nocamera"
          : n === "NotReadableError" ? "busy" : "failed");
      });
  };
  Recorder.prototype.drawGuide = function () {
    var w = this.video.videoWidth, h = this.video.videoHeight, o = oval(w, h), e = this.svg.querySelector("ellipse");
    this.svg.setAttribute("viewBox", "0 0 " + w + " " + h);
    e.setAttribute("cx", o.cx); e.setAttribute("cy", o.cy); e.setAttribute("rx", o.rx); e.setAttribute("ry", o.ry);
  };
  Recorder.prototype.check = function () {
    var self = this, began = Date.now(), go = this.root.querySelector(".rec-go"), anyway = this.root.querySelector(".rec-anyway");
    this.good = 0; go.disabled = true; anyway.hidden = true; this.drawGuide(); this.step("check");
    this.timer = setInterval(function () {
      if (!self.video.videoWidth) return;
      var v = verdict(measure(self.video, self.canvas));
      show(self.root.querySelector(".rec-light"), v.light, t("rec_light_ok"));
      show(self.root.querySelector(".rec-size"), v.size, t("rec_size_ok"));
      self.good = v.light || v.size ? 0 : self.good + 1;
      go.disabled = self.good < 3;
      if (go.disabled && Date.now() - began > 10000) anyway.hidden = false;
    }, 250);
  };
  function show(el, problem, fine) { el.textContent = problem || fine; el.classList.toggle("bad", !!problem); el.classList.toggle("good", !problem); }

  Recorder.prototype.durations = function () {
    var d = this.root.dataset;
    return [["rest", Number(d.restS)], ["close", Number(d.closeS)], ["smile", Number(d.smileS)]];
  };
  Recorder.prototype.record = function () {
    clearInterval(this.timer);
    var self = this, chunks = [], type = pickType(), rec;
    try { rec = new MediaRecorder(this.stream, type ? { mimeType: type } : {}); } catch (e) { this.fail("unsupported"); return; }
    rec.ondataavailable = function (ev) { if (ev.data && ev.data.size) chunks.push(ev.data); };
    rec.onstop = function () { self.finished(new Blob(chunks, { type: rec.mimeType || type || "video/webm" })); };
    this.recorder = rec;
    this.countdown(3, "ready", function () {
      rec.start(1000);
      self.phases(self.durations(), function () { rec.stop(); });
    });
  };
  Recorder.prototype.countdown = function (seconds, name, done) {
    var self = this, left = seconds, el = this.root.querySelector("[data-step='record'] .rec-count"), bar = this.root.querySelector(".rec-bar");
    var panel = this.root.querySelector("[data-step='record']");
    panel.querySelectorAll("[data-phase]").forEach(function (p) { p.hidden = p.getAttribute("data-phase") !== name; });
    this.step("record");
    var heading = panel.querySelector("[data-phase='" + name + "'] h2"); if (heading) heading.focus();
    panel.setAttribute("data-current", name);
    el.textContent = String(left); bar.max = seconds; bar.value = 0;
    clearInterval(this.timer);
    this.timer = setInterval(function () {
      left -= 1; bar.value = seconds - left;
      if (left <= 0) { clearInterval(self.timer); done(); } else { el.textContent = String(left); }
    }, 1000);
  };
  Recorder.prototype.phases = function (list, done) {
    var self = this;
    if (!list.length) { done(); return; }
    this.countdown(list[0][1], list[0][0], function () { self.phases(list.slice(1), done); });
  };
  Recorder.prototype.finished = function (blob) {
    this.stop(); this.blob = blob;
    var preview = this.root.querySelector(".rec-review video");
    if (preview) { preview.src = URL.createObjectURL(blob); }
    this.root.querySelector(".rec-size-note").textContent = t("rec_size_note", { size: (blob.size / 1048576).toFixed(1) });
    this.step("review");
  };
  Recorder.prototype.upload = function () {
    var self = this, root = this.root, bar = root.querySelector(".rec-upload-progress"), status = root.querySelector(".rec-upload-status");
    var err = root.querySelector(".rec-upload-error"), button = root.querySelector(".rec-send");
    var ext = /mp4/.test(this.blob.type) ? "mp4" : "webm", data = new FormData(), xhr = new XMLHttpRequest();
    data.append("file", this.blob, "recording." + ext);
    data.append("mirrored", "false"); // the camera's frames are not mirrored; only the preview is
    xhr.open("POST", root.getAttribute("data-upload"));
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { bar.hidden = false; bar.value = Math.round(100 * e.loaded / e.total); status.textContent = t("rec_sending_percent", { percent: bar.value }); }
    };
    xhr.onload = function () {
      button.disabled = false;
      if (xhr.status >= 200 && xhr.status < 300) { window.location = root.getAttribute("data-done"); return; }
      var msg = t("rec_upload_failed");
      try { msg = JSON.parse(xhr.responseText).error.message; msg = sentence(msg); } catch (e) { /* keep */ }
      err.textContent = msg; err.hidden = false; status.textContent = ""; bar.hidden = true;
    };
    xhr.onerror = function () { button.disabled = false; err.textContent = t("rec_connection_lost"); err.hidden = false; };
    err.hidden = true; button.disabled = true; status.textContent = t("rec_sending");
    xhr.send(data);
  };
  function pickType() {
    var types = ["video/webm;codecs=vp9", "video/webm;codecs=vp8", "video/webm", "video/mp4"];
    for (var i = 0; i < types.length; i++) if (MediaRecorder.isTypeSupported(types[i])) return types[i];
    return "";
  }

  function init(root) {
    var r = new Recorder(root);
    root.hidden = false;
    if (!window.isSecureContext) { r.fail("insecure"); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof window.MediaRecorder !== "function") { r.fail("unsupported"); return; }
    r.step("intro");
    root.querySelector(".rec-start").addEventListener("click", function () { r.start(); });
    root.querySelector(".rec-go").addEventListener("click", function () { r.record(); });
    root.querySelector(".rec-anyway").addEventListener("click", function () { r.record(); });
    root.querySelector(".rec-cancel").addEventListener("click", function () {
      if (r.recorder && r.recorder.state === "recording") { r.recorder.onstop = null; r.recorder.stop(); }
      r.stop(); r.step("intro");
    });
    root.querySelector(".rec-again").addEventListener("click", function () { r.start(); });
    root.querySelector(".rec-send").addEventListener("click", function () { r.upload(); });
  }
  document.addEventListener("DOMContentLoaded", function () { document.querySelectorAll("#recorder").forEach(init); });
})();
