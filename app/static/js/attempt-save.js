// No answer lost (issue 15): every change on the attempt page is saved on the server. The
// page also works without this script ("Lưu và tiếp tục" posts the page).
//
// Each save sends the whole page (every question on it), so the latest save always holds the
// latest state: there is nothing to replay in order. While a save is on its way, changes wait
// and go in the next one; when the connection is lost the page is kept in localStorage and sent
// again when the browser is back online (or on the next visit of the page).
(function () {
  "use strict";
  var form = document.querySelector("form[data-save-url]");
  if (!form || !window.fetch || !window.FormData) return;
  var status = document.querySelector("[data-save-status]");
  var counter = document.querySelector("[data-answered-count]");
  var url = form.getAttribute("data-save-url");
  var tokenField = form.querySelector("input[name=csrf_token]");
  var token = tokenField ? tokenField.value : "";
  var shown = Array.prototype.map.call(
    form.querySelectorAll("input[name=shown]"), function (el) { return el.value; }).join(",");
  var storageKey = "tdkt-bai-lam-" + form.getAttribute("data-attempt") + "-" + shown;
  var dirty = false, inFlight = false, timer = null, retryDelay = 2000;

  function say(text) { if (status) status.textContent = text; }

  function entries() {
    var list = [];
    new FormData(form).forEach(function (value, key) {
      if (key !== "csrf_token") list.push([key, value]);
    });
    return list;
  }

  function keep() {
    try { window.localStorage.setItem(storageKey, JSON.stringify(entries())); } catch (e) { /* full or private mode */ }
  }

  function forget() {
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* private mode */ }
  }

  function restore() {
    var raw = null;
    try { raw = window.localStorage.getItem(storageKey); } catch (e) { return false; }
    if (!raw) return false;
    var list;
    try { list = JSON.parse(raw); } catch (e) { forget(); return false; }
    var values = {};
    list.forEach(function (pair) { (values[pair[0]] = values[pair[0]] || []).push(pair[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !/^q\d+/.test(el.name)) return;
      var given = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") el.checked = given.indexOf(el.value) >= 0;
      else el.value = given.length ? given[0] : "";
    });
    return true;
  }

  function later(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(send, delay);
  }

  function showCount(data) {
    if (counter && typeof data.answered === "number") {
      counter.textContent = "Đã trả lời " + data.answered + "/" + data.total;
    }
  }

  function send() {
    if (!dirty) return;
    if (inFlight) return;  // sent again when the current save answers
    dirty = false;
    inFlight = true;
    say("Đang lưu…");
    var body = new FormData(form);
    window.fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        inFlight = false;
        if (response.ok) {
          retryDelay = 2000;
          showCount(data);
          if (dirty) { later(300); return; }
          forget();
          say("Đã lưu tất cả câu trả lời lúc " + new Date().toLocaleTimeString("vi-VN") + ".");
        } else if (response.status === 409) {
          forget();
          say(data.error || "Bài làm đã đóng.");
          if (data.review_url) window.location.assign(data.review_url);
        } else if (response.status === 503) {
          dirty = true;
          say("Máy chủ đang bận. Các câu trả lời đã lưu trước đó vẫn được giữ; câu vừa chọn sẽ được gửi lại sau ít giây.");
          later(5000);
        } else {
          dirty = true;
          say((data.error || "Chưa lưu được câu trả lời.") + " Câu trả lời vẫn được giữ trên máy này.");
        }
      });
    }).catch(function () {
      inFlight = false;
      dirty = true;
      keep();
      say("Mất kết nối. Câu trả lời được giữ trên máy này và sẽ tự gửi khi có mạng trở lại.");
      retryDelay = Math.min(retryDelay * 2, 30000);
      later(retryDelay);
    });
  }

  function changed() {
    dirty = true;
    keep();
    say("Có thay đổi chưa lưu…");
    later(600);
  }

  form.addEventListener("change", changed);
  form.addEventListener("input", function (event) {
    if (event.target && (event.target.type === "text" || event.target.tagName === "TEXTAREA")) changed();
  });
  // A form post ("Lưu và tiếp tục", "Nộp bài") carries the whole page itself.
  form.addEventListener("submit", function () { dirty = false; window.clearTimeout(timer); forget(); });
  window.addEventListener("online", function () { if (dirty) later(0); });
  // Leaving with a change not yet sent (tab closed, link followed): send it as the page goes.
  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) navigator.sendBeacon(url, new FormData(form));
  });
  if (restore()) { dirty = true; later(0); }
})();
