// 批量办理 on the ledger list: "select the page" ticks every row's box.
(function () {
  "use strict";
  var all = document.getElementById("pick-page");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll('input[name="pick"]').forEach(function (box) {
      box.checked = all.checked;
    });
  });
})();
