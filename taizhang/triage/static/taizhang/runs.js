// Follow background runs on the page: move their progress bars, reload when one ends.
(function () {
  var runs = document.querySelectorAll("[data-run]");
  if (!runs.length) return;
  function poll() {
    var pending = 0;
    runs.forEach(function (box) {
      fetch(box.dataset.run, { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (run) {
          box.querySelector("progress").value = run.percent;
          box.querySelector(".run-percent").textContent = run.percent + "%";
          box.querySelector(".run-status").textContent = run.status_display;
          if (!run.active) window.location.reload();
        });
      pending++;
    });
    if (pending) window.setTimeout(poll, 1500);
  }
  window.setTimeout(poll, 1000);
})();
