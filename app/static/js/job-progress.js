// Progress of a background job (question-bank or roster import): poll the job's JSON every
// second, move the bar, name the step, and open the result page when the job ends. Without
// JavaScript the page's <noscript> refresh does it.
(function () {
  "use strict";
  var box = document.getElementById("job-progress");
  if (!box || !window.fetch) return;
  var bar = box.querySelector(".progress");
  var fill = bar.querySelector("span");
  var done = box.querySelector("[data-done]");
  var total = box.querySelector("[data-total]");
  var phase = box.querySelector("[data-phase]");
  var phases = phase ? JSON.parse(phase.dataset.labels) : {};

  function tick() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (job) {
        var percent = job.total ? Math.floor((100 * job.done) / job.total) : 0;
        fill.style.width = percent + "%";
        bar.setAttribute("aria-valuenow", String(percent));
        done.textContent = job.done;
        total.textContent = job.total || "…";
        if (phase && job.phase && phases[job.phase]) phase.textContent = phases[job.phase];
        if (job.status === "done" || job.status === "failed") {
          window.location.assign(box.dataset.jobUrl);
        } else {
          window.setTimeout(tick, 1000);
        }
      })
      .catch(function () {
        window.setTimeout(tick, 3000);
      });
  }
  window.setTimeout(tick, 1000);
})();
