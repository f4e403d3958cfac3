// @ts-check
// build-site player, part 65: each region's series over all frames, made at build time (data/M/sG.js:
// the frames' values up to 1,000 points, beyond that the min, mean and max of spans of `step` frames),
// loaded a group of regions at a time when a chart first needs them. Drawing a series into a box;
// the tooltip's sparkline; the scrubber's overview strip. None of this runs per frame except moving
// a current-frame marker.
(function (P) {
  "use strict";
  const { meta, st, N, R } = P;
  const STEP = meta.series.step, GROUP = meta.series.group, POINTS = Math.ceil(N / STEP);
  const loaded = meta.metrics.map(() => new Map()); // group -> Float32Array | Promise of it

  // [arrays × regions × points] float32 as four byte planes, each point XORed with the one before.
  async function inflateSeries(b64) {
    const b = await P.inflateRaw(b64), n = b.length / 4, u = new Uint32Array(n);
    for (let i = 0; i < n; i++) u[i] = (b[i] | (b[n + i] << 8) | (b[2 * n + i] << 16) | (b[3 * n + i] << 24)) >>> 0;
    for (let row = 0; row < n; row += POINTS) for (let i = row + 1; i < row + POINTS; i++) u[i] ^= u[i - 1];
    return new Float32Array(u.buffer);
  }
  function group(m, g) {
    const slot = loaded[m];
    if (!slot.has(g)) {
      const loading = P.loadScript(`${P.dataPath}${m}/s${g}.js`, `${m}/s${g}`).then(inflateSeries)
        .then((f) => { slot.set(g, f); return f; }, (err) => { slot.delete(g); throw err; }); // retried when next asked
      slot.set(g, loading);
    }
    return slot.get(g);
  }
  const regionIndex = (r) => (typeof r === "string" ? meta.regions.names.indexOf(r) : Number(r));
  function view(f, r, g) { // region r's arrays in its group's decoded block [arrays × regions of the group × points]
    const n = Math.min(GROUP, R - g * GROUP), at = (a) => f.subarray((a * n + r - g * GROUP) * POINTS, (a * n + r - g * GROUP + 1) * POINTS);
    const mean = at(STEP === 1 ? 0 : 1);
    return { start: 0, step: STEP, frames: N, min: STEP === 1 ? mean : at(0), mean, max: STEP === 1 ? mean : at(2) };
  }
  // Promise of {start, step, frames, min, mean, max}: point j holds frames start + j·step … (j+1)·step − 1;
  // NaN where its frames have no data.
  function seriesOf(region, m = st.metric) {
    const r = regionIndex(region);
    if (!(r >= 0 && r < R) || !(m >= 0 && m < meta.metrics.length)) return Promise.reject(new Error(`no region ${region} or metric ${m}`));
    const g = Math.floor(r / GROUP);
    return Promise.resolve(group(m, g)).then((f) => view(f, r, g));
  }
  function seriesNow(r, m = st.metric) { // the same, synchronously: null while its group loads
    const g = Math.floor(r / GROUP), f = loaded[m].get(g);
    return f instanceof Float32Array ? view(f, r, g) : null;
  }

  // ---- drawing: per pixel column, the span of frames under it: a band from the lowest to the highest
  // value (so a one-frame spike shows at any width), and a line through the means, broken where no data.
  function under(x, w) { // [first, last] point under column x of w: at least one, whatever the width
    const p0 = Math.min(POINTS - 1, Math.floor(x * N / w / STEP));
    return [p0, Math.max(p0, Math.min(POINTS - 1, Math.ceil((x + 1) * N / w / STEP) - 1))];
  }
  function columns(s, w) { // Float64Array [lo, mean, hi] × w (NaN: no data under that column)
    const out = new Float64Array(3 * w).fill(NaN);
    for (let x = 0; x < w; x++) {
      const [p0, p1] = under(x, w);
      let lo = Infinity, hi = -Infinity, sum = 0, n = 0;
      for (let p = p0; p <= p1; p++) {
        if (!(s.mean[p] === s.mean[p])) continue; // NaN: no data
        if (s.min[p] < lo) lo = s.min[p];
        if (s.max[p] > hi) hi = s.max[p];
        sum += s.mean[p]; n++;
      }
      if (n) { out[3 * x] = lo; out[3 * x + 1] = sum / n; out[3 * x + 2] = hi; }
    }
    return out;
  }
  function extent(list) { // [lo, hi] over series, never empty
    let lo = Infinity, hi = -Infinity;
    for (const s of list) for (let p = 0; p < POINTS; p++) { if (s.min[p] < lo) lo = s.min[p]; if (s.max[p] > hi) hi = s.max[p]; }
    if (!(lo <= hi)) return [0, 1];
    if (lo === hi) return [lo - (Math.abs(lo) || 1) * 0.1, hi + (Math.abs(hi) || 1) * 0.1];
    return [lo, hi];
  }
  // Series s in box {x, y, w, h} of 2D context c, values lo…hi bottom to top. look: {line, band, edge, width}:
  // the means' line and its width, the min–max band's fill and its outline (which makes a lone spike stand out).
  function drawSeries(c, s, box, lo, hi, look) {
    const w = Math.max(1, Math.round(box.w)), cols = columns(s, w), k = box.h / (hi - lo), one = look.width / 1.5;
    const y = (v) => box.y + box.h - (v - lo) * k;
    let banded = false;
    c.fillStyle = look.band;
    for (let x = 0; x < w; x++) {
      const a = cols[3 * x], b = cols[3 * x + 2];
      if (a === a && b > a) { c.fillRect(box.x + x, y(b), 1, Math.max(1, y(a) - y(b))); banded = true; }
    }
    c.lineJoin = "round";
    const trace = (at, colour, width) => { // a line through one of the columns' values, broken where there is no data
      c.strokeStyle = colour;
      c.lineWidth = width;
      c.beginPath();
      let on = false;
      for (let x = 0; x < w; x++) {
        const v = cols[3 * x + at];
        if (!(v === v)) { on = false; continue; }
        if (on) c.lineTo(box.x + x + 0.5, y(v));
        else { c.moveTo(box.x + x + 0.5, y(v)); c.lineTo(box.x + x + 1, y(v)); on = true; } // a lone point shows
      }
      c.stroke();
    };
    if (banded) { trace(0, look.edge, one); trace(2, look.edge, one); }
    trace(1, look.line, look.width);
  }
  const xOfFrame = (box, i) => box.x + (i + 0.5) * box.w / N;
  const frameAtX = (box, x) => Math.max(0, Math.min(N - 1, Math.floor((x - box.x) / box.w * N)));

  // ---- the tooltip's sparkline: the hovered region's series, drawn once per region into a cache;
  // a new frame copies the cache and draws the marker. ----
  const spark = P.$("spark"), sctx = spark.getContext("2d"), cache = document.createElement("canvas");
  let sparkRegion = -1, sparkX = -1; // sparkX: the marker's column, -1 once the cache is new
  function showSpark(r) { // r: the hovered region, or -1. Drawn at once when its series is loaded.
    if (r === sparkRegion) return;
    sparkRegion = r;
    spark.hidden = true;
    if (r < 0) return;
    const m = st.metric, now = seriesNow(r, m);
    if (now) drawSpark(now);
    else seriesOf(r, m).then((s) => { if (sparkRegion === r && st.metric === m) drawSpark(s); }).catch(() => {});
  }
  function drawSpark(s) {
    const dpr = window.devicePixelRatio || 1;
    cache.width = spark.width = Math.round(160 * dpr);
    cache.height = spark.height = Math.round(36 * dpr);
    const c = cache.getContext("2d"), [lo, hi] = extent([s]);
    spark.box = { x: 0, y: 2 * dpr, w: cache.width, h: cache.height - 4 * dpr };
    drawSeries(c, s, spark.box, lo, hi, { line: "#ffffff", band: "rgba(255, 255, 255, 0.35)", edge: "rgba(255, 255, 255, 0.8)",
                                          width: 1.2 * dpr });
    spark.hidden = false;
    sparkX = -1;
    markSpark(st.frame);
  }
  function markSpark(i) {
    if (spark.hidden) return;
    const w = Math.max(1, Math.round(window.devicePixelRatio || 1) * 1.5), x = Math.round(xOfFrame(spark.box, i) - w / 2);
    if (x === sparkX) return; // a 160-pixel line: most frames leave the marker where it was
    sparkX = x;
    sctx.clearRect(0, 0, spark.width, spark.height);
    sctx.drawImage(cache, 0, 0);
    sctx.fillStyle = "#ffb000";
    sctx.fillRect(x, 0, w, spark.height);
  }

  // ---- the overview strip under the scrubber, over the range shown (41-timeline): per pixel column, the
  // mean class of the regions with data, in the palette. From the series' points (the build's metadata)
  // while a column holds a point or more; once the range is short enough that a point spans several
  // columns, from the frames' classes (the class chunks, a few frames sampled per column) as they load.
  // Drawn when the range, the width or the metric changes, never per frame. ----
  const strip = P.$("strip");
  let stripTicket = 0;
  const SAMPLES = 4, MAX_CHUNKS = 8; // frames read per column; chunks a fine strip may load
  function drawStrip() {
    const dpr = window.devicePixelRatio || 1, w = Math.max(1, Math.round(strip.clientWidth * dpr));
    const h = Math.max(1, Math.round(strip.clientHeight * dpr)), m = meta.metrics[st.metric], classes = m.strip;
    const [lo, hi] = P.rangeOf(), frames = hi - lo + 1, ticket = ++stripTicket, metric = st.metric;
    strip.width = w; strip.height = h;
    const c = strip.getContext("2d");
    for (let x = 0; x < w; x++) { // the points under the column's frames
      const f0 = lo + Math.floor(x * frames / w), f1 = Math.max(f0, lo + Math.ceil((x + 1) * frames / w) - 1);
      const p0 = Math.min(POINTS - 1, Math.floor(f0 / STEP)), p1 = Math.min(POINTS - 1, Math.floor(f1 / STEP));
      let sum = 0, n = 0;
      for (let p = p0; p <= p1; p++) if (classes[p] !== P.NO_DATA) { sum += classes[p]; n++; }
      c.fillStyle = n ? m.colors[Math.round(sum / n)] : m.missing;
      c.fillRect(x, 0, 1, h);
    }
    strip.dataset.source = "series";
    // Finer than the points: the frames themselves, once their chunks are loaded.
    if (STEP === 1 || frames / STEP >= w || Math.floor(hi / P.CF) - Math.floor(lo / P.CF) >= MAX_CHUNKS) return;
    P.ensure(lo, hi, metric).then(() => {
      if (ticket !== stripTicket || st.metric !== metric) return; // the range or the metric changed since
      for (let x = 0; x < w; x++) {
        const f0 = lo + Math.floor(x * frames / w), f1 = Math.max(f0, lo + Math.ceil((x + 1) * frames / w) - 1);
        const k = Math.min(SAMPLES, f1 - f0 + 1);
        let sum = 0, n = 0;
        for (let s = 0; s < k; s++) {
          const i = f0 + Math.floor(s * (f1 - f0 + 1) / k);
          for (let r = 0; r < R; r++) { const b = P.classOf(r, i); if (b !== P.NO_DATA) { sum += b; n++; } }
        }
        c.fillStyle = n ? m.colors[Math.round(sum / n)] : m.missing;
        c.fillRect(x, 0, 1, h);
      }
      strip.dataset.source = "frames";
    }, () => {});
  }
  new ResizeObserver(drawStrip).observe(strip); // (and once at the start)
  P.on("range", drawStrip);
  P.on("metric", () => { // the strip and the sparkline in the new metric
    drawStrip();
    const r = sparkRegion;
    sparkRegion = -1;
    showSpark(r);
  });
  P.on("frame", markSpark);

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ seriesOf, extent, drawSeries, columns, xOfFrame, frameAtX,
                                                         showSpark }));
})(window.choroplethPlayer);
