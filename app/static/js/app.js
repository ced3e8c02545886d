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
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
