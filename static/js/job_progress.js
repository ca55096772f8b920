// A job's page follows the job (templates/reports/job_detail.html): every few seconds it asks the job's JSON (API.md's
// job, by session) and shows its status and progress; once the job is done or failed the page is loaded again, for
// the download link or the reason, in the page's own words. Without scripts the page refreshes itself instead
// (<noscript> meta refresh), so either way the person waiting sees the job move.
(function () {
  "use strict";

  var EVERY_MS = 2000;
  var AT_MOST_MS = 15000; // a failed ask (the server restarting, the network) waits longer each time, up to this

  function setUp(card) {
    var words = JSON.parse(document.getElementById("job-words").textContent);
    var status = card.querySelector("[data-job-status]");
    var bar = card.querySelector("[data-job-progress]");
    var percent = card.querySelector("[data-job-percent]");
    var waiting = card.querySelector("[data-job-waiting]");
    var shown = null;
    var delay = EVERY_MS;

    function show(job) {
      if (job.status !== shown) status.textContent = words.statuses[job.status] || job.status;
      shown = job.status;
      if (waiting) waiting.hidden = job.status !== "queued";
      // A running job that reports no steps (a PDF being drawn) has an indeterminate bar, not one stuck at 0 %.
      if (job.status === "running" && !job.progress) {
        bar.removeAttribute("value");
        percent.textContent = "";
      } else {
        bar.value = job.progress;
        percent.textContent = words.percent.replace("{n}", job.progress);
      }
    }

    function askLater() {
      window.setTimeout(ask, delay);
    }

    function ask() {
      fetch(card.dataset.jobFollow, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          // Signed out, or the job is gone: the page itself says what to do (the login page, a 404).
          if (response.status === 401 || response.status === 403 || response.status === 404) {
            window.location.reload();
            return null;
          }
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (job) {
          if (job === null) return;
          delay = EVERY_MS;
          if (job.status === "done" || job.status === "failed") {
            window.location.reload();
            return;
          }
          show(job);
          askLater();
        })
        .catch(function () {
          delay = Math.min(delay * 2, AT_MOST_MS);
          askLater();
        });
    }

    askLater();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var card = document.querySelector("[data-job-follow]");
    if (card && document.getElementById("job-words")) setUp(card);
  });
})();
