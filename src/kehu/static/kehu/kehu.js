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

  // The customer picker (kehu.customers.widgets.CustomerPicker): type a name, pinyin, initials or credit
  // code, pick one of the few customers the picker API finds in your scope; the hidden field gets its id.
  function picker(root) {
    var box = root.querySelector("input[role=combobox]"), hidden = root.querySelector("input[type=hidden]");
    var list = root.querySelector("[role=listbox]"), timer = null, seq = 0, active = -1;
    if (!box || !hidden || !list) { return; }
    function clear() { list.innerHTML = ""; active = -1; box.setAttribute("aria-expanded", "false"); }
    function pick(item) {
      hidden.value = item.id;
      box.value = item.name + (item.code || item.uscc ? " " + (item.code || item.uscc) : "");
      clear();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
    }
    box.addEventListener("input", function () {
      hidden.value = "";
      window.clearTimeout(timer);
      var q = box.value.trim();
      if (!q) { clear(); return; }
      timer = window.setTimeout(function () {
        var mine = ++seq, url = root.getAttribute("data-url");
        url += (url.indexOf("?") === -1 ? "?" : "&") + "limit=10&q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (data) {
            if (mine !== seq) { return; }  // a late answer to an older query must not overwrite a newer one
            var items = Array.isArray(data) ? data : (data.items || []);
            clear();
            items.forEach(function (item) {
              var li = document.createElement("li");
              li.setAttribute("role", "option");
              li.setAttribute("data-id", item.id);
              li.textContent = item.name + [item.code || item.uscc, item.grade].filter(Boolean).map(function (x) {
                return " · " + x; }).join("");
              li.addEventListener("mousedown", function (event) { event.preventDefault(); pick(item); });
              list.appendChild(li);
            });
            box.setAttribute("aria-expanded", items.length ? "true" : "false");
          });
      }, 200);
    });
    box.addEventListener("keydown", function (event) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) { return; }
      if (event.key === "ArrowDown") { mark(Math.min(active + 1, options.length - 1)); event.preventDefault(); }
      else if (event.key === "ArrowUp") { mark(Math.max(active - 1, 0)); event.preventDefault(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        options[active].dispatchEvent(new MouseEvent("mousedown"));
      } else if (event.key === "Escape") { clear(); }
    });
    box.addEventListener("blur", function () { window.setTimeout(clear, 150); });
  }

  function init() {
    countdowns();
    document.querySelectorAll("[data-customer-picker]").forEach(picker);
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

    // A print button (the visitor badge): no inline handler, the CSP allows scripts from kehu only.
    document.addEventListener("click", function (event) {
      if (event.target.closest("[data-print]")) { window.print(); }
    });

    // A form that came back with errors is scrolled into view.
    var failed = document.querySelector("details.action[open] .form-errors, details.action[open] .has-error");
    if (failed) { failed.scrollIntoView({ block: "center" }); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
