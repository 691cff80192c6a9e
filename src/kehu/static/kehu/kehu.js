/* kehu's own small script: no framework, no build step. Every page works without it. */
(function () {
  "use strict";

  // The customer form's kind switch: show only the fields that apply to the chosen kind.
  function applyKind(form) {
    var checked = form.querySelector("input[name=kind]:checked");
    if (!checked) { return; }
    form.querySelectorAll("[data-kinds]").forEach(function (el) {
      var kinds = el.getAttribute("data-kinds").split(" ");
      el.hidden = kinds.indexOf(checked.value) === -1;
    });
  }

  // Time-limit countdowns (helpdesk): data-countdown holds the seconds left when the page was made (negative
  // when overdue); the server says in data-running whether the clock runs now (a working-time clock stands
  // still outside working hours), and only a running clock counts down here.
  function countdowns() {
    var clocks = document.querySelectorAll("[data-countdown]");
    if (!clocks.length) { return; }
    var t0 = Date.now();
    function show() {
      var passed = Math.floor((Date.now() - t0) / 1000);
      clocks.forEach(function (el) {
        var s = parseInt(el.getAttribute("data-countdown"), 10);
        if (isNaN(s)) { return; }
        if (el.getAttribute("data-running") === "1") { s -= passed; }
        var neg = s < 0;
        s = Math.abs(s);
        var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
        el.textContent = (neg ? "-" : "") + h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
        el.classList.toggle("overdue", neg);
      });
    }
    show();
    window.setInterval(show, 1000);
  }

  function init() {
    countdowns();
    document.querySelectorAll("form").forEach(function (form) {
      if (!form.querySelector("input[name=kind][type=radio]")) { return; }
      applyKind(form);
      form.addEventListener("change", function (event) {
        if (event.target.name === "kind") { applyKind(form); }
      });
    });

    // Buttons that remove something ask first.
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-confirm]");
      if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });

    // A form that came back with errors is scrolled into view.
    var failed = document.querySelector("details.action[open] .form-errors, details.action[open] .has-error");
    if (failed) { failed.scrollIntoView({ block: "center" }); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
