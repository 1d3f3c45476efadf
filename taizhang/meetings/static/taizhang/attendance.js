// 全部出席: marks every member present in one tap; nothing is marked until someone does.
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("all-present");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    document.querySelectorAll('#attendance input[type=radio][value=present]').forEach((box) => {
      box.checked = true;
    });
  });
});
