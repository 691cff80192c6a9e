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

  function init() {
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
