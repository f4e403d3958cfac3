// @ts-check
// build-site player, part 30: drawing. The frame's time as text (25-time's strftime, in the map's
// time zone), the title, the legend and where each class sits in it, the palettes, and the per-frame path:
// renderFrame repaints the regions whose class changed and the title, then fires "frame".
(function (P) {
  "use strict";
  const { meta, st, N, R, CF, NO_DATA, ctx } = P;

  // ---- text: title with the frame's time, legend ----
  // The last one kept: the title and the time under the scrubber show the same frame's, formatted once.
  let textFrame = -1, textOfFrame = "";
  function timeText(i) {
    if (i !== textFrame) { textOfFrame = P.timeString(P.timeOf(i)); textFrame = i; }
    return textOfFrame;
  }
  const titleOf = (when) => `${meta.title} — ${when}`;
  const titleText = (i) => titleOf(timeText(i));
  const font = (px, weight = "") => `${weight} ${Math.round(px)}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  const INK = "#1f2328", PAPER = "#ffffff";

  function drawTitle(text) { // once per layout and text: a time format coarser than the frames repeats it
    const L = st.layout;
    if (L.title === text) return;
    L.title = text;
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, L.W, L.head); // (the subtitle under it is drawn once per layout: 68-credits)
    ctx.fillStyle = INK;
    ctx.font = font(22 * L.scale, "600");
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    ctx.fillText(text, 14 * L.scale, L.head / 2, L.W - 28 * L.scale);
  }

  const number = new Intl.NumberFormat(P.locale, { notation: "compact", maximumSignificantDigits: 3 });
  // The build's labels ("1,450", "12.5k": classify.labels) in the reader's language: the same number with
  // the same decimals and suffix, grouped and pointed as it writes numbers ("1.450", "12,5k" in de).
  const inLocale = new Map();
  function localLabel(label) {
    const g = /^(-?)([\d,]*)(?:\.(\d+))?([kMBT]?)$/.exec(label);
    if (!g) return label;
    const d = g[3] ? g[3].length : 0;
    if (!inLocale.has(d)) inLocale.set(d, new Intl.NumberFormat(P.locale, { minimumFractionDigits: d, maximumFractionDigits: d }));
    return inLocale.get(d).format(Number(g[1] + (g[2].replace(/,/g, "") || "0") + (g[3] ? "." + g[3] : ""))) + g[4];
  }
  // Each metric's class edges as the legend, tooltip and table show them: formatted once.
  const edgeLabels = meta.metrics.map((m) => (m.labels ? (P.english ? m.labels : m.labels.map(localLabel))
                                                       : m.edges.map((e) => number.format(e))));
  const noData = P.t("noData");
  function classText(b) { // class b's value range in the current metric
    const labels = edgeLabels[st.metric];
    return b === NO_DATA ? noData : `${labels[b]} – ${labels[b + 1]}`;
  }
  function drawLegend() {
    const L = st.layout, m = meta.metrics[st.metric], k = m.colors.length, u = L.scale;
    const y = L.H - L.bottom, h = 14 * u;
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, y, L.W, L.bottom);
    ctx.fillStyle = INK;
    ctx.font = font(14 * u, "600");
    ctx.textBaseline = "top";
    ctx.textAlign = "left";
    ctx.fillText(m.label, 14 * u, y + 8 * u, L.W * 0.32 - 22 * u); // ends before the colour bar
    const x0 = L.W * 0.32, x1 = L.W - 110 * u, w = (x1 - x0) / k, by = y + 10 * u;
    m.colors.forEach((c, i) => { ctx.fillStyle = c; ctx.fillRect(x0 + i * w, by, Math.ceil(w), h); });
    L.legend = { x0, w, k, y: by, h, nx: L.W - 96 * u, nw: 18 * u }; // where the pointer finds a class
    ctx.strokeStyle = "#8c959f";
    ctx.lineWidth = Math.max(1, u);
    ctx.strokeRect(x0, by, x1 - x0, h);
    ctx.fillStyle = m.missing;
    ctx.fillRect(...legendBox(NO_DATA));
    ctx.fillStyle = INK;
    ctx.font = font(12 * u);
    ctx.fillText(noData, L.W - 74 * u, by + 1 * u, 72 * u); // (a longer word squeezed, not cut)
    const labels = edgeLabels[st.metric];
    const widest = Math.max(...labels.map((s) => ctx.measureText(s).width)) + 8 * u;
    const every = Math.max(1, Math.ceil(widest / w));
    ctx.textAlign = "center";
    for (let i = 0; i <= k; i += every) {
      ctx.fillRect(x0 + i * w - 0.5 * u, by + h, 1 * u, 4 * u);
      ctx.fillText(labels[i], x0 + i * w, by + h + 6 * u);
    }
  }
  function legendAt(x, y) { // the legend class under a canvas pixel: its index, NO_DATA, or -1
    const g = st.layout && st.layout.legend;
    if (!g || y < g.y || y >= g.y + g.h) return -1;
    if (x >= g.x0 && x < g.x0 + g.k * g.w) return Math.min(g.k - 1, Math.floor((x - g.x0) / g.w));
    if (x >= g.nx && x < g.nx + g.nw) return NO_DATA;
    return -1;
  }
  /** @returns {Rect} */
  function legendBox(i) { // [x, y, width, height] of legend class i (or NO_DATA) in canvas pixels
    const g = st.layout.legend;
    return i === NO_DATA ? [g.nx, g.y, g.nw, g.h] : [g.x0 + i * g.w, g.y, g.w, g.h];
  }

  // ---- the per-frame path ----
  const palettes = meta.metrics.map((m) => { // class -> colour as one RGBA pixel
    const p = new Uint32Array(256), rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
    const pack = (/** @type {number[]} */ [r, g, b]) => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0; // ImageData is RGBA, little-endian
    p.fill(pack(rgb(m.missing)));
    m.colors.forEach((c, i) => { p[i] = pack(rgb(c)); });
    return p;
  });
  function paintMap(x, y, w, h) { // the fill image and the borders over it, within a rectangle of the canvas
    const L = st.layout;
    ctx.putImageData(L.img, 0, 0, x, y, w, h);
    ctx.drawImage(L.borders, x, y, w, h, x, y, w, h);
  }
  function renderFrame(i) { // true when drawn now; false while its chunk loads (drawn when it arrives)
    const L = st.layout;
    if (!L) return false;
    i = Math.max(0, Math.min(N - 1, Math.round(i)));
    const c = Math.floor(i / CF), buf = P.usedChunk(st.metric, c);
    if (buf === null) { st.want = i; return false; }
    st.want = -1;
    st.frame = i;
    const pal = palettes[st.metric], off = (i - c * CF) * R, shown = L.shown, box = L.box;
    const img32 = L.img32, pix = L.pix, start = L.start;
    let x0 = L.W, y0 = L.H, x1 = -1, y1 = -1;
    for (let r = 0; r < R; r++) {
      const b = buf[off + r];
      if (b === shown[r]) continue;
      shown[r] = b;
      const colour = pal[b];
      for (let p = start[r], end = start[r + 1]; p < end; p++) img32[pix[p]] = colour;
      const q = 4 * r;
      if (box[q] < x0) x0 = box[q]; if (box[q + 1] < y0) y0 = box[q + 1];
      if (box[q + 2] > x1) x1 = box[q + 2]; if (box[q + 3] > y1) y1 = box[q + 3];
    }
    // (During a zoom or pan gesture its preview is on show; the settled layout redraws all.)
    if (x1 >= x0 && !st.gesture) paintMap(x0, y0, x1 - x0 + 1, y1 - y0 + 1);
    drawTitle(titleOf(timeText(i)));
    P.emit("frame", i); // the scrubber, tooltip, table, charts' markers and URL hash follow
    return true;
  }
  P.on("layout", () => { paintMap(0, 0, st.layout.W, st.layout.H); drawLegend(); });
  P.on("metric", () => { st.layout.shown.fill(-1); drawLegend(); }); // every region repainted in the new palette

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ INK, timeText, titleText, classText, drawLegend, legendAt, legendBox,
                                                         paintMap, renderFrame }));
})(window.choroplethPlayer);
