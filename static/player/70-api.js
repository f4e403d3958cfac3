// @ts-check
// build-site player, part 70: the automation API, window.choropleth, through which tests, the video
// capture and users' scripts drive the page; and the start: controls filled in, the state of a shared
// link restored, the topology and first frame loaded, the map laid out and drawn (choropleth.ready).
(function (P) {
  "use strict";
  const { meta, st, ui, N, R, CF, canvas, ctx } = P;

  const api = {
    frameCount: N,
    regionCount: R,
    meta,
    get frame() { return st.frame; },
    get metric() { return st.metric; },
    get playing() { return st.playing; },
    get canvas() { return canvas; },
    renderFrame: P.renderFrame, // (i) -> true when drawn synchronously, false while its chunk is still loading
    ensure: P.ensure, // (from, to, metric?) -> Promise: those frames' data loaded
    setMetric: P.setMetric, // (m) -> Promise
    play: () => P.setPlaying(true),
    pause: () => P.setPlaying(false),
    resize(W, H) { st.fixedSize = [W, H]; st.minU = 0.5; canvas.style.width = `${W / (window.devicePixelRatio || 1)}px`; P.resize(W, H); },
    pixelOf(x, y) { return st.layout.toPx(x, y); }, // projected map coordinates -> canvas pixel
    colorAt(x, y) { const d = ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data; return [d[0], d[1], d[2]]; },
    regionAt: P.regionAt, // canvas pixel -> region index (-1 outside)
    legendBox: P.legendBox, // (class or 255 for no data) -> [x, y, width, height] of its legend swatch, canvas pixels
    legendAt: P.legendAt, // canvas pixel -> legend class under it (255 no data, -1 none)
    showTable: P.showTable, // (on) the table view of the current frame
    get view() { return { ...st.view }; }, // {zoom, x, y} the map is laid out at (pixelOf, regionAt follow it)
    setView: P.setView, // ({zoom?, x?, y?}) zoom 1…32 about projected centre x, y; redoes the layout
    resetView: () => P.setView(P.home()),
    classOf: P.classOf, // (region, frame?) -> class index, 255 = no data
    describe: P.describe, // region -> tooltip text
    valueOf: P.valueAt, // (region, frame?, metric?) -> exact value, null = none, undefined = still loading
    async values(i = st.frame, m = st.metric) { // Promise: frame i's exact values loaded (the tooltip's)
      if (meta.metrics[m].values) await P.valueChunk(m, Math.floor(i / CF)); // a Promise while loading, else the values
    },
    title: P.titleText,
    timeOf: P.timeOf, // frame -> epoch ms of its start
    frameAt: P.frameAt, // (epoch ms, or text as the page shows it or ISO 8601) -> frame holding it, -1 outside
    get range() { return P.rangeOf(); }, // [from, to]: the frames the timeline shows and play stays in (all: no range)
    setRange: (from, to) => P.setRange(from === null || from === undefined ? null : Number(from), Number(to)), // null: all
    get speed() { return /^\d+(\.\d+)?$/.test(st.speed) ? Number(st.speed) : st.speed; }, // frames/s, or data time ("1d")
    setSpeed(s) { // frames per second (0: as fast as it draws), or data time per second: "1h", "1d", "1w", "1mo", "1y"
      if (!P.setSpeed(s)) throw new Error(`not a speed: ${s}`);
    },
    goTo: P.goTo, // (text) -> true when gone to the frame holding that time; false: the field's message says why
    seriesOf: P.seriesOf, // (region, metric?) -> Promise of {start, step, frames, min, mean, max}: the chart's series
    pin: P.pin, // (region index or name) -> Promise: pinned and drawn in the chart under the map
    unpin: P.unpin, // (region) -> Promise
    get pinned() { return st.pins.map((p) => p.r); }, // the pinned regions' indices, oldest first
    chartBox: P.chartBox, // [x, y, width, height] of the chart's plot in its canvas pixels (null: nothing pinned)
    download: P.download, // ("png" | "frame.csv" | "series.csv") -> Promise of the Blob its button saves
    showCredits: P.showCredits, // (on) the source and notes at the canvas's foot, as the video and preview image show them
    async measure(from, count) { // ms to draw each of frames from..from+count-1, pixels flushed
      await P.ensure(from, from + count - 1);
      const times = [];
      for (let i = from; i < from + count; i++) {
        const t = performance.now();
        P.renderFrame(i);
        ctx.getImageData(0, 0, 1, 1); // forces the canvas to finish drawing
        times.push(performance.now() - t);
      }
      return times;
    },
  };
  window.choropleth = api;
  api.ready = (async () => {
    meta.metrics.forEach((m, i) => ui.metric.add(new Option(m.name, String(i))));
    if (meta.metrics.length < 2) P.$("metric-label").hidden = true;
    if (!st.range) ui.scrub.max = String(N - 1);
    const saved = P.restoreState();
    if (saved.metric) st.metric = saved.metric;
    if (saved.frame) st.frame = saved.frame;
    const [lo, hi] = P.rangeOf();
    st.frame = Math.max(lo, Math.min(hi, st.frame));
    ui.metric.value = String(st.metric);
    const [topo] = await Promise.all([P.loadScript("topology.js", "topology"), P.ensure(st.frame, st.frame)]);
    P.decodeTopology(topo);
    P.resize(...P.fitToWindow());
    ui.status.hidden = true;
    if (saved.playing) P.setPlaying(true);
  })();
  api.ready.catch(P.fail);
})(window.choroplethPlayer);
