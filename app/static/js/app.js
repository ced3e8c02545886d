// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  // A form with a [data-once] button is sent once: a second tap while the page loads does
  // nothing (the server also refuses a second submit of the same attempt).
  document.querySelectorAll("form").forEach(function (form) {
    var button = form.querySelector("[data-once]");
    if (!button) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      button.setAttribute("disabled", "disabled");
    });
  });
  // Quiz timer: shows the time left and sends the answers when it runs out. The server keeps
  // the real deadline; this only spares the officer a lost attempt.
  var timer = document.querySelector("[data-deadline]");
  if (timer) {
    var deadline = Date.parse(timer.getAttribute("data-deadline"));
    var out = timer.querySelector("[data-countdown]");
    var form = document.getElementById("quiz-form");
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      out.textContent = "Còn " + Math.floor(left / 60) + " phút " + (left % 60) + " giây.";
      if (left === 0 && form && !form.dataset.sent) {
        form.dataset.sent = "1";
        // Time is up: submit without the summary page (the server grades what was saved).
        if (form.dataset.submitUrl) {
          form.action = form.dataset.submitUrl;
          var confirm = document.createElement("input");
          confirm.type = "hidden"; confirm.name = "xac-nhan"; confirm.value = "1";
          form.appendChild(confirm);
        }
        form.submit();
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
