// The 打印 button of a 交办单 / 督办单 page.
document.getElementById("print-sheet")?.addEventListener("click", () => window.print());
