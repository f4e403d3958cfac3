// @ts-check
// build-site player, part 66: pinned regions. A click on a region (a second tap on a touch screen),
// or Enter on a region's row in the table, pins it; the panel under the map draws the pinned regions'
// series, each in its own colour and named, the min–max band where a pixel holds many frames, gaps
// where there is no data. The series are drawn when the pins, the metric or the size change; a frame
// moves only the marker, on its own canvas. A click or drag in the chart goes to that frame.
(function (P) {
  "use strict";
  const { meta, st, N, R } = P;
  const MAX_PINS = 6;
  const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]; // Okabe–Ito, without yellow
  const panel = P.$("pins"), list = P.$("pins-list"), chart = P.$("chart"), marker = P.$("chart-marker");
  const text = P.$("chart-text"), cctx = chart.getContext("2d"), mctx = marker.getContext("2d");
  const pins = st.pins; // {r, colour}, oldest first
  let box = null, drawn = null, marked = -1, drawing = 0, latest = Promise.resolve();

  const regionIndex = (r) => (typeof r === "string" ? meta.regions.names.indexOf(r) : Number(r));
  const number = new Intl.NumberFormat(P.locale, { notation: "compact", maximumSignificantDigits: 3 });
  const known = (r) => Number.isInteger(r) && r >= 0 && r < R;
  function add(r) {
    if (pins.some((p) => p.r === r)) return;
    if (pins.length >= MAX_PINS) pins.shift(); // the oldest makes room
    pins.push({ r, colour: COLOURS.find((c) => !pins.some((p) => p.colour === c)) });
  }
  function pin(region) { // Promise resolved when the chart shows it
    const r = regionIndex(region);
    if (!known(r)) return Promise.reject(new Error(`no region ${region}`));
    add(r);
    P.emit("pins", pins);
    return changed();
  }
  function unpin(region) {
    const r = regionIndex(region), k = pins.findIndex((p) => p.r === r);
    if (k >= 0) pins.splice(k, 1);
    P.emit("pins", pins);
    return changed();
  }
  function restorePins(value) { // from a shared link: region indices, comma-separated (the hash is not rewritten)
    String(value || "").split(",").filter(Boolean).map(Number).filter(known).forEach(add);
    changed().catch(() => {}); // a series that cannot load leaves the chart empty; the map still shows
  }
  function changed() { // the names' list and the chart follow the pins
    list.replaceChildren(...pins.map(({ r, colour }) => {
      const li = document.createElement("li"), b = document.createElement("button"), sw = document.createElement("span");
      b.type = "button";
      b.setAttribute("aria-label", P.t("unpinRegion", { name: meta.regions.names[r] }));
      b.title = P.t("unpin");
      sw.className = "swatch";
      sw.style.background = colour;
      b.append(sw, `${meta.regions.names[r]} ×`);
      b.addEventListener("click", () => {
        const k = pins.findIndex((p) => p.r === r);
        unpin(r);
        const next = list.querySelectorAll("button")[Math.min(k, pins.length - 1)]; // keyboard focus stays in the list
        if (next) next.focus();
      });
      li.append(b);
      return li;
    }));
    panel.hidden = !pins.length;
    return draw();
  }

  // ---- the chart: drawn once per pins, metric and size; the marker per frame ----
  function draw() { // Promise resolved when the chart shows the pins as they are now
    latest = paint(++drawing);
    return latest;
  }
  async function paint(ticket) {
    const m = st.metric;
    if (!pins.length) { drawn = null; return; }
    const series = await Promise.all(pins.map((p) => P.seriesOf(p.r, m)));
    if (ticket !== drawing) return latest; // a newer draw is under way: done when it is
    const dpr = window.devicePixelRatio || 1, W = Math.max(1, Math.round(chart.clientWidth * dpr));
    const H = Math.max(1, Math.round(chart.clientHeight * dpr)), u = dpr;
    chart.width = marker.width = W; chart.height = marker.height = H;
    cctx.fillStyle = "#ffffff";
    cctx.fillRect(0, 0, W, H);
    const [lo, hi] = P.extent(series);
    cctx.font = `${Math.round(11 * u)}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
    const labels = [number.format(hi), number.format(lo)];
    const left = Math.ceil(Math.max(...labels.map((s) => cctx.measureText(s).width)) + 10 * u);
    box = { x: left, y: 6 * u, w: W - left - 8 * u, h: H - 26 * u };
    cctx.fillStyle = "#f6f8fa";
    cctx.fillRect(box.x, box.y, box.w, box.h);
    cctx.fillStyle = P.INK;
    cctx.textAlign = "right";
    cctx.textBaseline = "top";
    cctx.fillText(labels[0], left - 5 * u, box.y);
    cctx.textBaseline = "bottom";
    cctx.fillText(labels[1], left - 5 * u, box.y + box.h);
    cctx.textBaseline = "top";
    cctx.textAlign = "left";
    cctx.fillText(P.timeText(0), box.x, box.y + box.h + 4 * u);
    cctx.textAlign = "right";
    cctx.fillText(P.timeText(N - 1), box.x + box.w, box.y + box.h + 4 * u);
    cctx.save();
    cctx.beginPath();
    cctx.rect(box.x, box.y, box.w, box.h);
    cctx.clip();
    series.forEach((s, k) => P.drawSeries(cctx, s, box, lo, hi,
                                          { line: pins[k].colour, band: pins[k].colour + "55", edge: pins[k].colour, width: 1.5 * u }));
    cctx.restore();
    drawn = { m, lo, hi, series, regions: pins.map((p) => p.r) };
    describeChart();
    marked = -1;
    markFrame(st.frame);
  }
  function markFrame(i) { // per frame, while pinned: the marker's old column cleared, the new one drawn
    if (!drawn) return;
    const u = window.devicePixelRatio || 1, w = Math.max(1, Math.round(1.5 * u));
    const x = Math.round(P.xOfFrame(box, i) - w / 2);
    if (x === marked) return; // 100,000 frames on a chart a thousand pixels wide: most frames move it nowhere
    if (marked >= 0) mctx.clearRect(marked - 2, 0, w + 4, marker.height);
    marked = x;
    mctx.fillStyle = P.INK;
    mctx.fillRect(marked, box.y, w, box.h);
  }
  function describeChart() { // the text alternative: each series' range and where its extremes are
    const m = meta.metrics[drawn.m], lines = drawn.series.map((s, k) => {
      let lo = -1, hi = -1;
      for (let p = 0; p < s.mean.length; p++) {
        if (s.min[p] === s.min[p] && (lo < 0 || s.min[p] < s.min[lo])) lo = p;
        if (s.max[p] === s.max[p] && (hi < 0 || s.max[p] > s.max[hi])) hi = p;
      }
      const name = meta.regions.names[drawn.regions[k]];
      if (hi < 0) return P.t("regionNoData", { name });
      // (a point of many frames: its first frame's time)
      return P.t(s.step > 1 ? "extremesFrom" : "extremesAt", {
        name, high: P.formatValue(s.max[hi]), highTime: P.timeText(hi * s.step),
        low: P.formatValue(s.min[lo]), lowTime: P.timeText(lo * s.step) });
    });
    chart.setAttribute("aria-label", P.t("overTime", { metric: m.label,
                                                       regions: drawn.regions.map((r) => meta.regions.names[r]).join(", ") }));
    text.textContent = `${P.t("fromTo", { from: P.timeText(0), to: P.timeText(N - 1) })} ${lines.join(" ")}`;
  }

  // ---- a click or drag in the chart goes to that frame. A click (no drag) where a pixel holds many
  // frames goes to the frame among them whose exact value is nearest the one clicked: a spike's top
  // lands on the spike. ----
  let dragging = false, downX = 0;
  const chartXY = (e) => { const rect = chart.getBoundingClientRect(), s = chart.width / rect.width;
    return [(e.clientX - rect.left) * s, (e.clientY - rect.top) * s]; };
  chart.addEventListener("pointerdown", (e) => {
    if (!drawn || e.button > 0) return;
    dragging = true;
    downX = e.clientX;
    chart.setPointerCapture(e.pointerId);
    P.renderFrame(P.frameAtX(box, chartXY(e)[0]));
  });
  chart.addEventListener("pointermove", (e) => { if (dragging) P.renderFrame(P.frameAtX(box, chartXY(e)[0])); });
  chart.addEventListener("pointerup", (e) => {
    if (!dragging) return;
    dragging = false;
    if (Math.abs(e.clientX - downX) < 3) snap(...chartXY(e)).catch(() => {});
  });
  chart.addEventListener("pointercancel", () => { dragging = false; });
  async function snap(x, y) {
    const col = Math.floor(x - box.x), f0 = Math.floor(col * N / box.w), f1 = Math.min(N, Math.floor((col + 1) * N / box.w));
    if (col < 0 || col >= Math.round(box.w) || f1 - f0 < 2 || !meta.metrics[drawn.m].values) return;
    const want = drawn.hi - (y - box.y) / box.h * (drawn.hi - drawn.lo);
    let best = -1, gap = Infinity; // the pinned series whose band at this column is nearest
    drawn.series.forEach((s, k) => {
      const c = P.columns(s, Math.round(box.w)), lo = c[3 * col], hi = c[3 * col + 2];
      const d = want < lo ? lo - want : want > hi ? want - hi : 0;
      if (d < gap) { gap = d; best = k; }
    });
    if (best < 0) return;
    const r = drawn.regions[best], m = drawn.m;
    for (let c = Math.floor(f0 / P.CF); c <= Math.floor((f1 - 1) / P.CF); c++) await P.valueChunk(m, c);
    let frame = -1, near = Infinity;
    for (let i = f0; i < f1; i++) {
      const v = P.valueAt(r, i, m);
      if (typeof v === "number" && Math.abs(v - want) < near) { near = Math.abs(v - want); frame = i; }
    }
    if (frame >= 0 && st.metric === m) P.renderFrame(frame);
  }

  // ---- pins from a click on the map, from the table, and the panel following the page's size ----
  let tappedBefore = -1;
  window.addEventListener("pointerdown", (e) => { if (e.target === P.canvas) tappedBefore = st.hover; }, true);
  P.canvas.addEventListener("click", (e) => {
    if (st.gesture) return; // the end of a drag
    const rect = P.canvas.getBoundingClientRect(), s = P.canvas.width / rect.width;
    const r = P.regionAt((e.clientX - rect.left) * s, (e.clientY - rect.top) * s);
    // A tap shows the tooltip; tapping the same region again pins it.
    if (r >= 0 && (e.pointerType === "mouse" || e.pointerType === "pen" || tappedBefore === r)) pin(r);
  });
  P.$("table-view").addEventListener("keydown", (e) => {
    const tr = e.target.closest && e.target.closest("tr[data-region]");
    if (!tr) return;
    if (e.key === "Enter") { pin(Number(tr.dataset.region)); e.preventDefault(); }
    const next = e.key === "ArrowDown" ? tr.nextElementSibling : e.key === "ArrowUp" ? tr.previousElementSibling : null;
    if (next) { tr.tabIndex = -1; next.tabIndex = 0; next.focus(); e.preventDefault(); }
  });
  new ResizeObserver(() => { if (drawn) draw(); }).observe(chart);
  P.on("metric", () => { draw(); }); // the chart in the new metric
  P.on("frame", markFrame); // the marker only

  const chartBox = () => (drawn ? /** @type {Rect} */ ([box.x, box.y, box.w, box.h]) : null);
  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ pin, unpin, restorePins, chartBox }));
})(window.choroplethPlayer);
