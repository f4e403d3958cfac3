// @ts-check
// build-site player, part 55: the table view of the current frame, a real <table> a screen reader can
// walk, sortable by column. Rows are built when first opened; while open they follow the frame at most
// 4 times a second, and values as they arrive; closed, it costs nothing.
(function (P) {
  "use strict";
  const { meta, st, NO_DATA } = P;

  const table = { open: false, rows: null, key: "region", dir: 1,
                  view: P.$("table-view"), body: document.querySelector("#table-view tbody"), caption: P.$("table-caption"),
                  toggle: P.$("table-toggle"),
                  heads: [.../** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("#table-view thead th"))] };
  const collator = new Intl.Collator(P.locale);
  const tableFill = P.throttle(fillTable, 250);
  function fillTable() {
    const m = meta.metrics[st.metric], first = !table.rows;
    if (first) {
      table.rows = meta.regions.names.map((name, r) => {
        const tr = document.createElement("tr"), th = document.createElement("th");
        const value = document.createElement("td"), cls = document.createElement("td"), swatch = document.createElement("span");
        th.scope = "row";
        th.textContent = name;
        swatch.className = "swatch";
        swatch.setAttribute("aria-hidden", "true");
        const range = document.createTextNode("");
        cls.append(swatch, range);
        tr.append(th, value, cls);
        tr.dataset.region = r; // Enter on a focused row pins its region (66-pins); ↑ and ↓ move between rows
        tr.tabIndex = -1; // one row is a Tab stop (firstStop); ↑ and ↓ move it
        table.body.append(tr);
        return { r, name, tr, value, swatch, range, text: null, shown: -1, b: NO_DATA };
      });
    }
    table.caption.textContent = P.t("at", { what: m.label, time: P.timeText(st.frame) });
    for (const row of table.rows) { // touch the DOM only where something changed
      const b = P.classOf(row.r), v = b === NO_DATA ? null : P.valueAt(row.r), text = P.valueText(b, v);
      const shown = st.metric * 256 + b;
      row.b = b;
      row.v = typeof v === "number" ? v : NaN;
      if (text !== row.text) row.value.textContent = row.text = text;
      if (shown !== row.shown) {
        row.shown = shown;
        row.range.textContent = P.classText(b);
        row.swatch.style.background = b === NO_DATA ? m.missing : m.colors[b];
      }
    }
    if (first || table.key !== "region") sortTable(); // by region, the order changes only when its button is pressed
  }
  function sortTable() {
    // By class (ordered value ranges), then by exact value where loaded; no data last either way; ties by name.
    const byName = (a, b) => collator.compare(a.name, b.name);
    const byValue = (a, b) => (Number.isNaN(a.v) || Number.isNaN(b.v) ? 0 : a.v - b.v);
    const cmp = table.key === "region" ? (a, b) => table.dir * byName(a, b)
      : (a, b) => Number(a.b === NO_DATA) - Number(b.b === NO_DATA) || table.dir * (a.b - b.b || byValue(a, b)) || byName(a, b);
    const sorted = table.rows.slice().sort(cmp);
    if (sorted.some((row, i) => table.body.children[i] !== row.tr)) table.body.append(...sorted.map((row) => row.tr));
  }
  function firstStop() { // Tab reaches the table's first row as shown: when it opens and when a person sorts it
    const stop = /** @type {HTMLElement | null} */ (table.body.querySelector("tr[tabindex='0']"));
    const first = /** @type {HTMLElement} */ (table.body.firstElementChild);
    if (stop === first) return;
    if (stop) stop.tabIndex = -1;
    first.tabIndex = 0;
  }
  function showTable(on) {
    table.open = on;
    table.view.hidden = !on;
    table.toggle.setAttribute("aria-expanded", String(on));
    if (on) { tableFill.now(); firstStop(); } else tableFill.cancel();
  }
  P.on("frame", () => { if (table.open) tableFill.soon(); }); // at most 4 times a second while it plays
  P.on("values", () => { if (table.open) tableFill.now(); });
  table.toggle.addEventListener("click", () => showTable(!table.open));
  for (const th of table.heads) {
    th.querySelector("button").addEventListener("click", () => {
      table.dir = table.key === th.dataset.key ? -table.dir : 1;
      table.key = th.dataset.key;
      for (const h of table.heads) { // (the page starts sorted by region, ascending)
        if (h === th) h.setAttribute("aria-sort", table.dir > 0 ? "ascending" : "descending");
        else h.removeAttribute("aria-sort");
      }
      sortTable();
      firstStop();
    });
  }

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ showTable }));
})(window.choroplethPlayer);
