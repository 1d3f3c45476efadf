// The unit picker: every input marked data-units gets suggestions as one types (names,
// aliases, short names, codes) and a 浏览 button that opens the campaign's tree of units.
// Without script the input still takes a name, a short name or a code.
(function () {
  const base = document.body.dataset.units;
  if (!base) return;
  let serial = 0;

  async function fetchUnits(params) {
    const response = await fetch(`${base}?${new URLSearchParams(params)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    return response.ok ? (await response.json()).units : [];
  }

  function option(unit) {
    const item = document.createElement("option");
    item.value = `${unit.name}(${unit.code})`;
    return item;
  }

  function tree(input, panel) {
    async function branch(parent, into) {
      const list = document.createElement("ul");
      for (const unit of await fetchUnits(parent ? { parent } : {})) {
        const row = document.createElement("li");
        const pick = document.createElement("button");
        pick.type = "button";
        pick.className = "link";
        pick.textContent = unit.name;
        pick.title = `${unit.kind} ${unit.code}`;
        pick.addEventListener("click", () => {
          input.value = `${unit.name}(${unit.code})`;
          panel.hidden = true;
          input.focus();
        });
        row.append(pick);
        if (unit.has_children) {
          const open = document.createElement("button");
          open.type = "button";
          open.className = "link expand";
          open.textContent = "+";
          open.setAttribute("aria-label", `展开 ${unit.name}`);
          open.addEventListener("click", async () => {
            open.disabled = true;
            await branch(unit.code, row);
          }, { once: true });
          row.prepend(open);
        }
        list.append(row);
      }
      into.append(list);
    }
    return branch;
  }

  for (const input of document.querySelectorAll("input[data-units]")) {
    serial += 1;
    const list = document.createElement("datalist");
    list.id = `units-${serial}`;
    input.setAttribute("list", list.id);
    input.after(list);
    let pending;
    input.addEventListener("input", () => {
      clearTimeout(pending);
      const typed = input.value.trim();
      if (!typed) return;
      pending = setTimeout(async () => {
        const units = await fetchUnits({ q: typed });
        list.replaceChildren(...units.map(option));
      }, 150);
    });
    const browse = document.createElement("button");
    browse.type = "button";
    browse.className = "secondary unit-browse";
    browse.textContent = document.body.dataset.unitsBrowse || "浏览";
    const panel = document.createElement("div");
    panel.className = "unit-tree card";
    panel.hidden = true;
    browse.addEventListener("click", async () => {
      panel.hidden = !panel.hidden;
      if (!panel.hidden && !panel.childElementCount) await tree(input, panel)(null, panel);
    });
    list.after(browse, panel);
  }
})();
