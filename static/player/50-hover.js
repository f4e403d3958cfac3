// build-site player, part 50: what a person learns about regions. The tooltip (the region or legend
// class under the pointer or finger), the hover overlay that outlines it, and the table view of the
// current frame, sortable by column.
(function (P) {
  "use strict";
  const { meta, st, ui, R, NO_DATA, canvas } = P;

  // Tooltip: region under the pointer, its class for the current frame; the region outlined.
  function regionAt(x, y) { // canvas pixel -> region index (-1 outside)
    const L = st.layout;
    if (!L || x < 0 || y < 0 || x >= L.W || y >= L.H) return -1;
    return L.ids[Math.floor(y) * L.W + Math.floor(x)];
  }
  function valueText(b, v) { // the stored value, as the tooltip shows it
    return b === NO_DATA ? "no data" : v === undefined ? "…" : v === null ? "–" : P.formatValue(v, b);
  }
  function describe(r) { // "France: 1,234.5 (1,000 – 1,500)"; the value follows once its chunk is loaded
    const b = P.classOf(r), name = meta.regions.names[r];
    if (b === NO_DATA) return `${name}: no data`;
    const v = P.valueOf(r);
    return `${name}: ${v === null ? "" : valueText(b, v) + " "}(${P.classText(b)})`;
  }
  function legendText(c) {
    let n = 0;
    for (let r = 0; r < R; r++) if (P.classOf(r) === c) n++;
    return `${P.classText(c)}: ${n} ${n === 1 ? "region" : "regions"}`;
  }

  // ---- the hover overlay: the region under the pointer outlined, or a legend class's regions
  // highlighted. Drawn on its own canvas only while something is hovered, so idle it costs nothing.
  function regionPath(r) { // the region's outline in canvas pixels, built once per layout
    const L = st.layout;
    if (!L.paths[r]) {
      const path = new Path2D();
      for (const ring of P.rings[r]) { P.tracePath(path, L.project(ring)); path.closePath(); }
      L.paths[r] = path;
    }
    return L.paths[r];
  }
  function drawOverlay() {
    const L = st.layout, h = P.overlay.getContext("2d");
    h.clearRect(0, 0, L.W, L.H);
    if (st.hover < 0 && st.hoverClass < 0) return;
    h.save();
    P.clipToMap(h, L);
    h.strokeStyle = P.INK;
    if (st.hoverClass >= 0) { // wash out the map, then cut the class's regions back out of the wash
      h.fillStyle = "rgba(244, 246, 248, 0.8)";
      h.fillRect(...P.mapArea(L));
      h.lineWidth = 1.5 * L.u;
      h.fillStyle = "#000"; // opaque, so the cut-out leaves no wash behind
      for (let r = 0; r < R; r++) {
        if (P.classOf(r) !== st.hoverClass) continue;
        h.globalCompositeOperation = "destination-out";
        h.fill(regionPath(r), "evenodd");
        h.globalCompositeOperation = "source-over";
        h.stroke(regionPath(r));
      }
    }
    if (st.hover >= 0) {
      h.lineWidth = 2 * L.u;
      h.stroke(regionPath(st.hover));
    }
    h.restore();
    if (st.hoverClass >= 0) { // and the swatch itself
      const [x, y, w, bh] = P.legendBox(st.hoverClass);
      h.lineWidth = 2 * L.u;
      h.strokeRect(x, y, w, bh);
    }
  }
  // Hover (mouse) or tap (touch, pen): what is under the pointer, told in the tooltip and drawn on the overlay.
  function pointAt(e) {
    const L = st.layout;
    if (!L || st.gesture) return;
    const [x, y, , rect] = P.toCanvas(e);
    const c = P.legendAt(x, y), r = c < 0 ? regionAt(x, y) : -1;
    if (r !== st.hover || c !== st.hoverClass) { st.hover = r; st.hoverClass = c; drawOverlay(); }
    const tip = ui.tip;
    P.showSpark(r);
    if (r < 0 && c < 0) { tip.hidden = true; return; }
    ui.tooltip.textContent = r >= 0 ? describe(r) : legendText(c);
    tip.hidden = false;
    // Beside the pointer, kept inside the map; above a finger, which would hide it.
    const px = e.clientX - rect.left, py = e.clientY - rect.top, w = tip.offsetWidth, h = tip.offsetHeight;
    const left = px + 12 + w <= rect.width ? px + 12 : Math.max(0, px - 12 - w);
    const top = e.pointerType === "mouse" ? (py + 12 + h <= rect.height ? py + 12 : py - 12 - h) : py - 24 - h;
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(0, top)}px`;
  }
  function unhover() {
    if (st.hover < 0 && st.hoverClass < 0 && ui.tip.hidden) return;
    st.hover = st.hoverClass = -1;
    ui.tip.hidden = true;
    P.showSpark(-1);
    if (st.layout) drawOverlay();
  }
  canvas.addEventListener("pointermove", (e) => { if (e.pointerType === "mouse") pointAt(e); });
  canvas.addEventListener("pointerdown", (e) => { if (e.pointerType !== "mouse") pointAt(e); });
  // A finger lifting also "leaves": the tapped tooltip stays until the next tap elsewhere.
  canvas.addEventListener("pointerleave", (e) => { if (e.pointerType === "mouse") unhover(); });
  document.addEventListener("pointerdown", (e) => { if (e.target !== canvas) unhover(); });

  // ---- table view of the current frame: a real <table> a screen reader can walk, sortable by column.
  // Rows are built when first opened; while open they follow the frame at most 4 times a second; closed, it costs nothing.
  const table = { open: false, rows: null, key: "region", dir: 1,
                  view: P.$("table-view"), body: document.querySelector("#table-view tbody"), caption: P.$("table-caption"),
                  toggle: P.$("table-toggle"), heads: [...document.querySelectorAll("#table-view thead th")] };
  const collator = new Intl.Collator("en");
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
        tr.tabIndex = r ? -1 : 0;
        table.body.append(tr);
        return { r, name, tr, value, swatch, range, text: null, shown: -1, b: NO_DATA };
      });
    }
    table.caption.textContent = `${m.label} at ${P.timeText(st.frame)}`;
    for (const row of table.rows) { // touch the DOM only where something changed
      const b = P.classOf(row.r), v = b === NO_DATA ? null : P.valueOf(row.r), text = valueText(b, v);
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
      : (a, b) => (a.b === NO_DATA) - (b.b === NO_DATA) || table.dir * (a.b - b.b || byValue(a, b)) || byName(a, b);
    const sorted = table.rows.slice().sort(cmp);
    if (sorted.some((row, i) => table.body.children[i] !== row.tr)) table.body.append(...sorted.map((row) => row.tr));
  }
  function showTable(on) {
    table.open = on;
    table.view.hidden = !on;
    table.toggle.setAttribute("aria-expanded", String(on));
    if (on) tableFill.now(); else tableFill.cancel();
  }
  function refreshTable(when) { // "now", or "soon": at most 4 times a second; only while the table is open
    if (!table.open) return;
    if (when === "now") tableFill.now(); else tableFill.soon();
  }
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
    });
  }

  Object.assign(P, { regionAt, describe, legendText, drawOverlay, unhover, showTable, refreshTable });
})(window.choroplethPlayer);
