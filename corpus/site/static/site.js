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
  let sortKey = "";
  function sortBy(key, ascending) {
    for (const th of table.tHead.rows[0].cells) {
      if (th.dataset.key === key) th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    }
    const sorted = rows.slice().sort((a, b) => {
      const x = a.dataset[key] || "", y = b.dataset[key] || "";
      if (!x !== !y) return x ? -1 : 1; // unknown values last, either way
      return (ascending ? 1 : -1) * x.localeCompare(y, undefined, {numeric: true});
    });
    for (const row of sorted) table.tBodies[0].appendChild(row);
    sortKey = (ascending ? "" : "-") + key;
  }
  // The view lives in the address (?genre=law&province=...&title=...&sort=-date), so it can be shared.
  function remember() {
    const params = new URLSearchParams();
    for (const box of boxes) if (box.checked) params.append(box.name, box.value);
    if (titleFilter.value) params.set("title", titleFilter.value);
    if (sortKey) params.set("sort", sortKey);
    const query = params.toString();
    try {
      history.replaceState(null, "", query ? "?" + query : location.pathname);
    } catch (e) {
      // Some browsers refuse to change a file:// address; the view still works, it is just not in the URL.
    }
  }
  const asked = new URLSearchParams(location.search);
  for (const box of boxes) box.checked = asked.getAll(box.name).includes(box.value);
  titleFilter.value = asked.get("title") || "";
  for (const box of boxes) box.addEventListener("change", () => { update(); remember(); });
  titleFilter.addEventListener("input", () => { update(); remember(); });
  for (const th of table.tHead.rows[0].cells) {
    const button = th.querySelector("button");
    if (!button) continue;
    button.addEventListener("click", () => {
      sortBy(th.dataset.key, th.getAttribute("aria-sort") !== "ascending");
      remember();
    });
  }
  const sort = asked.get("sort");
  if (sort && table.querySelector(`th[data-key="${CSS.escape(sort.replace(/^-/, ""))}"]`)) {
    sortBy(sort.replace(/^-/, ""), !sort.startsWith("-"));
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
