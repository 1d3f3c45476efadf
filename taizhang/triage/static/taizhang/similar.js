// While a problem is being recorded, show the ledger's problems that read like it.
(function () {
  var box = document.getElementById("similar");
  if (!box) return;
  var form = box.closest("form");
  var timer = null;
  function check() {
    var params = new URLSearchParams({
      title: form.elements.title ? form.elements.title.value : "",
      description: form.elements.description ? form.elements.description.value : "",
      org: form.elements.org_code ? form.elements.org_code.value : "",
    });
    fetch(box.dataset.url + "?" + params, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) { box.innerHTML = html; });
  }
  ["title", "description", "org_code"].forEach(function (name) {
    var field = form.elements[name];
    if (field) field.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 400);
    });
  });
})();
