// Move the import's progress bar until the job ends, then show its outcome.
(function () {
  var box = document.querySelector("[data-job]");
  if (!box) return;
  function poll() {
    fetch(box.dataset.job, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        document.getElementById("job-progress").value = job.percent;
        document.getElementById("job-percent").textContent = job.percent + "%";
        document.getElementById("job-status").textContent = job.status_display;
        document.getElementById("job-stage").textContent = job.stage_display;
        if (job.active) window.setTimeout(poll, 1000);
        else window.location.reload();
      });
  }
  window.setTimeout(poll, 800);
})();
