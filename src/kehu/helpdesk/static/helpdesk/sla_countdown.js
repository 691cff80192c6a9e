// Moved out of the template: the Content-Security-Policy allows scripts from kehu's static files only.
(function () {
  var el = document.getElementById("sla-remaining");
  if (!el) return;
  var left = parseInt(el.dataset.seconds, 10), t0 = Date.now();
  function show() {
    var s = left - Math.floor((Date.now() - t0) / 1000), neg = s < 0; s = Math.abs(s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    el.textContent = (neg ? "-" : "") + h + ":" + String(m).padStart(2, "0") + ":" + String(sec).padStart(2, "0");
  }
  show(); setInterval(show, 1000);
})();
