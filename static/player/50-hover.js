// @ts-check
// build-site player, part 50: hovering. The tooltip (the region or legend class under the pointer or
// finger) and the hover overlay that outlines it; both follow the frame drawn.
(function (P) {
  "use strict";
  const { meta, st, ui, R, NO_DATA, canvas } = P;

  // Tooltip: region under the pointer, its class for the current frame; the region outlined.
  function regionAt(x, y) { // canvas pixel -> region index (-1 outside)
    const L = st.layout;
    if (!L || x < 0 || y < 0 || x >= L.W || y >= L.H) return -1;
    return L.ids[Math.floor(y) * L.W + Math.floor(x)];
  }
  function describe(r) { // "France: 1,234.5 (1,000 – 1,500)"; the value follows once its chunk is loaded
    const b = P.classOf(r), name = meta.regions.names[r];
    if (b === NO_DATA) return `${name}: ${P.valueText(b, null)}`;
    const v = P.valueAt(r);
    return `${name}: ${v === null ? "" : P.valueText(b, v) + " "}(${P.classText(b)})`;
  }
  function legendText(c) {
    let n = 0;
    for (let r = 0; r < R; r++) if (P.classOf(r) === c) n++;
    return `${P.classText(c)}: ${P.t("regions", { n })}`;
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
      h.lineWidth = 1.5 * L.scale;
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
      h.lineWidth = 2 * L.scale;
      h.stroke(regionPath(st.hover));
    }
    h.restore();
    if (st.hoverClass >= 0) { // and the swatch itself
      const [x, y, w, bh] = P.legendBox(st.hoverClass);
      h.lineWidth = 2 * L.scale;
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
    const tip = ui.tooltip; // the box
    P.showSpark(r);
    if (r < 0 && c < 0) { tip.hidden = true; return; }
    ui.tooltipText.textContent = r >= 0 ? describe(r) : legendText(c);
    tip.hidden = false;
    // Beside the pointer, kept inside the map; above a finger, which would hide it.
    const px = e.clientX - rect.left, py = e.clientY - rect.top, w = tip.offsetWidth, h = tip.offsetHeight;
    const left = px + 12 + w <= rect.width ? px + 12 : Math.max(0, px - 12 - w);
    const top = e.pointerType === "mouse" ? (py + 12 + h <= rect.height ? py + 12 : py - 12 - h) : py - 24 - h;
    tip.style.left = `${left}px`;
    tip.style.top = `${Math.max(0, top)}px`;
  }
  function unhover() {
    if (st.hover < 0 && st.hoverClass < 0 && ui.tooltip.hidden) return;
    st.hover = st.hoverClass = -1;
    ui.tooltip.hidden = true;
    P.showSpark(-1);
    if (st.layout) drawOverlay();
  }
  canvas.addEventListener("pointermove", (e) => { if (e.pointerType === "mouse") pointAt(e); });
  canvas.addEventListener("pointerdown", (e) => { if (e.pointerType !== "mouse") pointAt(e); });
  // A finger lifting also "leaves": the tapped tooltip stays until the next tap elsewhere.
  canvas.addEventListener("pointerleave", (e) => { if (e.pointerType === "mouse") unhover(); });
  document.addEventListener("pointerdown", (e) => { if (e.target !== canvas) unhover(); });

  // A new frame: the tooltip's text (the class members of a hovered legend class change too); values
  // arriving: the value in it; a new layout: the overlay, cleared by resizing its canvas.
  P.on("frame", () => {
    if (st.hover >= 0) P.setText(ui.tooltipText, describe(st.hover));
    if (st.hoverClass >= 0) { P.setText(ui.tooltipText, legendText(st.hoverClass)); drawOverlay(); }
  });
  P.on("values", () => { if (st.hover >= 0) P.setText(ui.tooltipText, describe(st.hover)); });
  P.on("layout", drawOverlay);

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ regionAt, describe, legendText, drawOverlay, unhover }));
})(window.choroplethPlayer);
