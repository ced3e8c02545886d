// Lesson editor: live preview and autosave. Progressive enhancement only — without
// JavaScript the "Xem trước" and "Lưu bản nháp" buttons do the same on the server.
(function () {
  "use strict";
  var form = document.querySelector("[data-authoring-lesson]");
  if (!form || !window.fetch) return;

  var body = form.querySelector("textarea[name=body_md]");
  var title = form.querySelector("input[name=title]");
  var articles = form.querySelector("input[name=articles]");
  var preview = form.querySelector("[data-preview]");
  var status = form.querySelector("[data-autosave-status]");
  var restoreNotice = document.querySelector("[data-local-restore]");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var token = tokenInput ? tokenInput.value : "";
  var storageKey = form.dataset.storageKey;
  var autosaveUrl = form.dataset.autosaveUrl;
  var PREVIEW_DELAY = 600; // ms after typing stops
  var AUTOSAVE_EVERY = 5000; // ms
  var previewTimer = null;
  var dirty = false;
  var saving = false;

  function post(url, fields) {
    var data = new FormData();
    Object.keys(fields).forEach(function (k) { data.append(k, fields[k]); });
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json, text/html" }
    });
  }

  function current() {
    return {
      title: title ? title.value : "",
      articles: articles ? articles.value : "",
      body_md: body ? body.value : ""
    };
  }

  // --- live preview: the server's own renderer and sanitiser -------------------------------
  function refreshPreview() {
    post(form.dataset.previewUrl, { text: body.value })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { preview.innerHTML = html; }) // sanitised by the server (nh3)
      .catch(function () { /* the "Xem trước" button still works */ });
  }

  // --- autosave, with a copy in this browser when the server cannot be reached -------------
  function keepLocally() {
    try {
      var copy = current();
      copy.at = new Date().toISOString();
      window.localStorage.setItem(storageKey, JSON.stringify(copy));
    } catch (e) { /* storage full or disabled */ }
  }

  function forgetLocal() {
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  function autosave() {
    if (!dirty || saving) return;
    var fields = current();
    if (!fields.title && !fields.body_md) return;
    var url = autosaveUrl || form.dataset.autosaveNewUrl;
    saving = true;
    dirty = false;
    post(url, fields)
      .then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || type.indexOf("application/json") === -1) throw new Error(r.status);
        return r.json();
      })
      .then(function (answer) {
        if (!answer.ok) return;
        if (answer.autosave_url) {
          // a new lesson now has a draft: keep editing it
          autosaveUrl = answer.autosave_url;
          form.action = answer.edit_url;
          form.dataset.autosaveUrl = answer.autosave_url;
          var oldKey = storageKey;
          storageKey = storageKey + answer.slug;
          try { window.localStorage.removeItem(oldKey); } catch (e) { /* ignore */ }
          if (window.history && window.history.replaceState) {
            window.history.replaceState(null, "", answer.edit_url);
          }
        }
        forgetLocal();
        status.textContent = answer.message;
      })
      .catch(function () {
        dirty = true;
        keepLocally();
        status.textContent = "Chưa lưu được lên máy chủ (mất kết nối hoặc hết phiên). " +
          "Nội dung được giữ tạm trên trình duyệt này.";
      })
      .then(function () { saving = false; });
  }

  function changed() {
    dirty = true;
    keepLocally();
  }

  [title, articles, body].forEach(function (el) {
    if (el) el.addEventListener("input", changed);
  });
  body.addEventListener("input", function () {
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(refreshPreview, PREVIEW_DELAY);
  });
  window.setInterval(autosave, AUTOSAVE_EVERY);
  form.addEventListener("submit", function () { forgetLocal(); });

  // A copy left in this browser by a failed autosave, newer than the server's draft.
  try {
    var saved = JSON.parse(window.localStorage.getItem(storageKey) || "null");
    var serverAt = form.dataset.savedAt ? Date.parse(form.dataset.savedAt + "Z") : 0;
    if (saved && saved.body_md !== body.value && Date.parse(saved.at) > serverAt) {
      restoreNotice.hidden = false;
      restoreNotice.textContent = "Có nội dung chưa lưu lên máy chủ trên trình duyệt này. ";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button au-small";
      button.textContent = "Khôi phục nội dung đó";
      button.addEventListener("click", function () {
        if (title) title.value = saved.title || "";
        if (articles) articles.value = saved.articles || "";
        body.value = saved.body_md || "";
        restoreNotice.hidden = true;
        dirty = true;
        refreshPreview();
        autosave();
      });
      restoreNotice.appendChild(button);
    }
  } catch (e) { /* ignore a malformed copy */ }
})();
