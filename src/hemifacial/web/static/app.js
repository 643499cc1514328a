// hemifacial: progressive enhancement only; every page works without JavaScript.
"use strict";
(function () {
  // The words come from the page (data-i18n on <body>, in the patient's language).
  var WORDS = {};
  try { WORDS = JSON.parse(document.body.getAttribute("data-i18n") || "{}"); } catch (e) { WORDS = {}; }
  function t(key, values) {
    var s = WORDS[key] || key;
    Object.keys(values || {}).forEach(function (k) { s = s.split("{" + k + "}").join(String(values[k])); });
    return s;
  }
  // A server message as a sentence: capital first, the language's full stop (once).
  function sentence(msg) {
    msg = msg.charAt(0).toUpperCase() + msg.slice(1);
    if (/[.!?\u3002\uff01\uff1f]$/.test(msg)) return msg;
    return (WORDS.sentence || "%(sentence)s.").split("%(sentence)s").join(msg);
  }
  // The other scripts (record.js, loaded after this one) use the same two.
  window.hemifacialWords = { t: t, sentence: sentence };
  function csrf(form) { var f = form.querySelector("input[name=csrf_token]"); return f ? f.value : ""; }

  // Branching: show follow-up questions only when their trigger answer is chosen.
  function applyBranching(form) {
    var data = new FormData(form);
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var rule = el.getAttribute("data-show-if").split("=");
      el.hidden = data.get(rule[0]) !== rule[1];
    });
  }

  // Autosave: everything typed is saved as typed, without judging it.
  function autosave(form) {
    var url = form.getAttribute("data-autosave"), timer = null, note = form.querySelector(".saved-note");
    function save() {
      var answers = {};
      new FormData(form).forEach(function (v, k) { if (k !== "csrf_token" && k !== "go") answers[k] = String(v); });
      fetch(url, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ answers: answers }) })
        .then(function (r) { if (note) note.textContent = r.ok ? t("saved") : t("not_saved"); })
        .catch(function () { if (note) note.textContent = t("offline"); });
    }
    form.addEventListener("input", function () { applyBranching(form); clearTimeout(timer); timer = setTimeout(save, 600); });
    form.addEventListener("change", function () { applyBranching(form); clearTimeout(timer); timer = setTimeout(save, 200); });
  }

  // Partial update: post the form, swap the target element with the same one from the answer.
  function swapForm(form) {
    var target = form.getAttribute("data-swap");
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      // the pressed button's name=value is part of the form (read before it is disabled)
      var body = ev.submitter ? new FormData(form, ev.submitter) : new FormData(form);
      var button = ev.submitter || form.querySelector("button[type=submit]"); if (button) button.disabled = true;
      fetch(form.action, { method: "POST", body: body, headers: { "X-Partial": "1" } })
        .then(function (r) { return r.text().then(function (html) { return { r: r, html: html }; }); })
        .then(function (res) {
          var doc = new DOMParser().parseFromString(res.html, "text/html");
          var fresh = doc.querySelector(target), old = document.querySelector(target);
          if (fresh && old) { old.replaceWith(fresh); init(fresh); }
          else { document.open(); document.write(res.html); document.close(); }
          var err = document.querySelector(target + " .error");
          var flash = document.querySelector(target + " .flash");
          if (err) err.scrollIntoView({ block: "center" });
          else if (flash) { flash.focus(); flash.scrollIntoView({ block: "center" }); }
        })
        .catch(function () { form.submit(); });
    });
  }

  // Upload with progress; the server's message for a file that is not a usable video.
  function uploadForm(form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var bar = form.querySelector(".upload-progress"), status = form.querySelector(".upload-status");
      var errorEl = form.querySelector(".upload-error"), button = form.querySelector("button[type=submit]");
      var fileInput = form.querySelector("input[type=file]");
      if (!fileInput.files.length) { errorEl.textContent = t("choose_video"); errorEl.hidden = false; return; }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-upload"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (e) {
        if (e.lengthComputable) { bar.hidden = false; bar.value = Math.round(100 * e.loaded / e.total); status.textContent = t("uploading_percent", { percent: bar.value }); }
      };
      xhr.onload = function () {
        button.disabled = false;
        if (xhr.status >= 200 && xhr.status < 300) { window.location = form.getAttribute("data-done"); return; }
        var msg = t("upload_failed");
        try { msg = JSON.parse(xhr.responseText).error.message; msg = sentence(msg); } catch (e) { /* keep default */ }
        errorEl.textContent = msg; errorEl.hidden = false; status.textContent = ""; bar.hidden = true;
      };
      xhr.onerror = function () { button.disabled = false; errorEl.textContent = t("connection_lost"); errorEl.hidden = false; };
      errorEl.hidden = true; button.disabled = true; status.textContent = t("uploading");
      var data = new FormData(form); data.delete("csrf_token");
      xhr.send(data);
    });
  }

  // Job progress on the case page; when a job ends, refresh the case.
  function pollJob(el) {
    var url = el.getAttribute("data-job");
    function tick() {
      fetch(url, { headers: { Accept: "application/json" } }).then(function (r) { return r.json(); }).then(function (job) {
        var p = el.querySelector("progress"), pct = el.querySelector(".pct");
        if (p) p.value = job.progress; if (pct) pct.textContent = Math.round(100 * job.progress) + "%";
        if (job.status === "done" || job.status === "failed") {
          fetch(window.location.pathname).then(function (r) { return r.text(); }).then(function (html) {
            var doc = new DOMParser().parseFromString(html, "text/html");
            var fresh = doc.querySelector("#case-main"), old = document.querySelector("#case-main");
            if (fresh && old) { old.replaceWith(fresh); init(fresh); }
          });
        } else { setTimeout(tick, 1000); }
      }).catch(function () { setTimeout(tick, 3000); });
    }
    setTimeout(tick, 1000);
  }

  function init(root) {
    document.dispatchEvent(new CustomEvent("hemifacial:init", { detail: root }));
    root.querySelectorAll("form[data-autosave]").forEach(function (f) { applyBranching(f); autosave(f); });
    root.querySelectorAll("form[data-swap]").forEach(swapForm);
    root.querySelectorAll("form[data-upload]").forEach(uploadForm);
    root.querySelectorAll("[data-job]").forEach(pollJob);
    // a link to copy: one click selects it all (no inline handler: the CSP forbids them)
    root.querySelectorAll("input[data-select]").forEach(function (el) {
      el.addEventListener("click", function () { el.select(); });
    });
    root.querySelectorAll("a[data-back]").forEach(function (el) {  // "Go back" on error pages
      el.addEventListener("click", function (ev) {
        if (window.history.length > 1) { ev.preventDefault(); window.history.back(); }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // Copy the private link (the field stays selectable when the clipboard is not allowed).
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.querySelector(button.getAttribute("data-copy"));
      if (!field) return;
      field.select();
      var done = function () { button.textContent = t("copied"); };
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
      else { try { document.execCommand("copy"); done(); } catch (e) { /* selected for the user */ } }
    });
  });
})();
