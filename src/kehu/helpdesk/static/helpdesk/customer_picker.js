// Moved out of the template: the Content-Security-Policy allows scripts from kehu's static files only.
(function () {
  var box = document.getElementById("id_customer_search"), hidden = document.getElementById("id_customer_id");
  var list = document.getElementById("customer-options"), timer = null, seq = 0;
  function clear() { list.innerHTML = ""; box.setAttribute("aria-expanded", "false"); }
  function pick(item) { hidden.value = item.id; box.value = item.name + (item.uscc ? " " + item.uscc : ""); clear(); }
  box.addEventListener("input", function () {
    hidden.value = "";
    clearTimeout(timer);
    var q = box.value.trim();
    if (!q) { clear(); return; }
    timer = setTimeout(function () {
      var mine = ++seq;
      fetch(box.dataset.url + "?limit=10&q=" + encodeURIComponent(q), {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {items: []}; })
        .then(function (data) {
          if (mine !== seq) return;  // an older answer arriving late must not overwrite a newer one
          clear();
          data.items.forEach(function (item) {
            var li = document.createElement("li");
            li.setAttribute("role", "option");
            li.dataset.id = item.id;
            li.textContent = item.name + (item.uscc ? " · " + item.uscc : "") + (item.grade ? " · " + item.grade : "");
            li.addEventListener("click", function () { pick(item); });
            list.appendChild(li);
          });
          box.setAttribute("aria-expanded", data.items.length ? "true" : "false");
        });
    }, 200);
  });
})();
