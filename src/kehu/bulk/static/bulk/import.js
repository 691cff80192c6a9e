/* The import job page: ask for the job's progress until it is finished. Without JavaScript the page shows
   the state at load time and a reload shows the rest. */
(function () {
  "use strict";

  function show(id, visible) {
    var el = document.getElementById(id);
    if (el) { el.hidden = !visible; }
  }

  function text(id, value) {
    var el = document.getElementById(id);
    if (el) { el.textContent = value === null || value === undefined ? "?" : String(value); }
  }

  function update(state) {
    text("job-status", state.status_label);
    text("job-done", state.rows_done);
    text("job-expected", state.rows_expected);
    ["created", "updated", "unchanged", "rejected"].forEach(function (k) { text("job-" + k, state["rows_" + k]); });
    var bar = document.getElementById("job-progress");
    if (bar && state.percent !== null) { bar.value = state.percent; text("job-percent", state.percent + "%"); }
    if (state.finished && state.status === "done" && bar) { bar.value = 100; text("job-percent", "100%"); }
    show("job-errors", state.has_error_file);
    text("job-message", state.message);
    show("job-message", !!state.message);
    show("job-resume", state.status === "failed" || state.stalled);
  }

  function poll(box) {
    var url = box.getAttribute("data-status-url");
    var wait = parseInt(box.getAttribute("data-poll-ms"), 10) || 2000;
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (state) {
          update(state);
          box.setAttribute("data-finished", state.finished ? "1" : "0");
          if (!state.finished) { window.setTimeout(tick, wait); }
        })
        .catch(function () { window.setTimeout(tick, wait * 2); });
    }
    window.setTimeout(tick, Math.min(wait, 500));
  }

  function init() {
    var box = document.getElementById("import-job");
    if (box && box.getAttribute("data-finished") !== "1") { poll(box); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
