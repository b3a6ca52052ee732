// The index's facets and sorting, and the document pages' layer switches. Without this script the pages
// still show everything: the table in its written order, every annotation layer, the static counts.
"use strict";

function facetRows() {
  const table = document.getElementById("documents");
  if (!table) return;
  const rows = Array.from(table.tBodies[0].rows);
  const boxes = Array.from(document.querySelectorAll(".facets input[type=checkbox]"));
  const titleFilter = document.getElementById("title-filter");
  const shown = document.getElementById("shown");
  // A row's values of a facet: several issuers are separated by "; " as in the documents table.
  const values = (row, facet) => (row.dataset[facet] || "").split("; ").filter(Boolean);

  function selected() {
    const chosen = {};
    for (const box of boxes) {
      if (box.checked) (chosen[box.name] = chosen[box.name] || new Set()).add(box.value);
    }
    return chosen;
  }
  function matches(row, chosen, except) {
    for (const facet in chosen) {
      if (facet === except) continue;
      if (!values(row, facet).some((v) => chosen[facet].has(v))) return false;
    }
    const words = titleFilter.value.trim().toLowerCase();
    return !words || row.dataset.title.toLowerCase().includes(words);
  }
  function update() {
    const chosen = selected();
    let n = 0;
    for (const row of rows) {
      row.hidden = !matches(row, chosen, null);
      if (!row.hidden) n++;
    }
    shown.textContent = String(n);
    // Each value's count: the rows it would show, given the choices in the other facets.
    for (const box of boxes) {
      let c = 0;
      for (const row of rows) {
        if (values(row, box.name).includes(box.value) && matches(row, chosen, box.name)) c++;
      }
      const item = box.closest("li");
      item.querySelector(".count").textContent = String(c);
      item.classList.toggle("zero", c === 0);
    }
  }
  for (const box of boxes) box.addEventListener("change", update);
  titleFilter.addEventListener("input", update);
  document.getElementById("facet-form").hidden = false;

  for (const th of table.tHead.rows[0].cells) {
    const button = th.querySelector("button");
    if (!button) continue;
    button.addEventListener("click", () => {
      const key = th.dataset.key;
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      const sorted = rows.slice().sort((a, b) => {
        const x = a.dataset[key] || "", y = b.dataset[key] || "";
        if (!x !== !y) return x ? -1 : 1; // unknown values last, either way
        return (ascending ? 1 : -1) * x.localeCompare(y, undefined, {numeric: true});
      });
      for (const row of sorted) table.tBodies[0].appendChild(row);
    });
  }
  update();
}

function layerSwitches() {
  const form = document.getElementById("layers");
  if (!form) return;
  for (const box of form.querySelectorAll("input[type=checkbox]")) {
    const apply = () => document.body.classList.toggle("hide-" + box.value, !box.checked);
    box.addEventListener("change", apply);
    apply();
  }
  form.hidden = false;
}

facetRows();
layerSwitches();
document.body.dataset.ready = "1";
