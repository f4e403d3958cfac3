// @ts-check
// build-site player, part 10: the data. Loads the data files (each a script calling
// choroplethLoad(key, payload), or inline in a one-file page), inflates them, keeps the decoded class
// chunks within a memory budget and a few chunks of values; answers a region's class and value at a frame; decodes the TopoJSON.
(function (P) {
  "use strict";
  const { meta, st, N, R, CF } = P;

  // ---- data files: each is a script calling choroplethLoad(key, payload) ----
  // Under data/<build id>/: a page reads only the files of the build it was served (builds.py keeps an
  // earlier build's files for a while after it is replaced); 80-refresh moves it on to a newer build.
  P.dataPath = meta.build ? `data/${meta.build}/` : "data/";
  const waiting = new Map();
  window.choroplethLoad = (key, payload) => {
    const resolve = waiting.get(key);
    if (resolve) { waiting.delete(key); resolve(payload); }
  };
  // A one-file page holds each payload in an inert <script type="application/json" data-key=…> instead:
  // the first frame's before the player (complete when it runs), the rest after it (once parsed).
  const holders = () => new Map(Array.from(document.querySelectorAll("script[data-key]"), (el) => [el.getAttribute("data-key"), el]));
  let inlined = holders();
  const parsed = new Promise((resolve) => {
    if (document.readyState !== "loading") resolve();
    else document.addEventListener("DOMContentLoaded", () => resolve(), { once: true });
  }).then(() => { if (inlined.size) inlined = holders(); });
  function loadScript(src, key) {
    if (inlined.size) {
      return (inlined.has(key) ? Promise.resolve() : parsed).then(() => {
        if (!inlined.has(key)) throw new Error("this page holds no " + key);
        return JSON.parse(inlined.get(key).textContent);
      });
    }
    return new Promise((resolve, reject) => {
      waiting.set(key, resolve);
      const s = document.createElement("script");
      s.src = src;
      s.onload = () => { s.remove(); if (waiting.delete(key)) reject(new Error(src + " holds no data")); };
      s.onerror = () => { s.remove(); waiting.delete(key); reject(new Error("cannot load " + src)); };
      document.head.appendChild(s);
    });
  }
  async function inflateRaw(b64) {
    if (typeof DecompressionStream === "undefined") { // Chrome 80, Firefox 113, Safari 16.4 have it
      throw new Error("this browser cannot decompress the data; please use a current Chrome, Edge, Firefox or Safari");
    }
    const text = atob(b64), bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }
  // framedata.pack: a flag byte, then cells of `w` bytes in byte planes; flag 1: each frame is its
  // difference to the one before (the typed array's wrap-around undoes it, as numpy's does).
  function unpack(b, w) {
    const n = (b.length - 1) / w;
    if (w === 1) {
      const u = b.subarray(1);
      if (b[0]) for (let i = R; i < n; i++) u[i] += u[i - R];
      return u;
    }
    const u = w === 2 ? new Uint16Array(n) : new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let x = 0;
      for (let k = w - 1; k >= 0; k--) x = x * 256 + b[1 + k * n + i];
      u[i] = x;
    }
    if (b[0]) for (let i = R; i < n; i++) u[i] += u[i - R];
    return u;
  }
  const inflate = async (b64) => unpack(await inflateRaw(b64), 1); // a class chunk
  function exactValues(b) { // --values exact: float32 in four byte planes, each frame XORed with the one before
    const n = b.length / 4, u = new Uint32Array(n);
    for (let i = 0; i < n; i++) u[i] = (b[i] | (b[n + i] << 8) | (b[2 * n + i] << 16) | (b[3 * n + i] << 24)) >>> 0;
    for (let i = R; i < n; i++) u[i] ^= u[i - R];
    return new Float32Array(u.buffer);
  }
  // Values at the precision shown (framedata.Shown): per cell, whole units of its class's 10^exp above the
  // class's base, packed in `bytes` byte planes.
  const TEN = Array.from({ length: 23 }, (_, n) => Number("1e" + n)); // exact, as Python writes them
  function shownValues(b, classes, coding) {
    const u = unpack(b, coding.bytes), n = u.length, out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const c = classes[i], e = coding.exp[c], k = coding.base[c] + u[i];
      out[i] = c === P.NO_DATA ? NaN : e >= 0 ? k * TEN[e] : k / TEN[-e];
    }
    return out;
  }

  // Chunks load on demand (and the next one ahead); decoded chunks stay within a memory budget,
  // the least recently used going first, so 100,000 frames × 3,000 regions × 5 metrics fit a phone.
  const chunks = meta.metrics.map((m) => new Array(m.chunks).fill(null)); // Uint8Array | Promise
  const BUDGET = 256 * 1024 * 1024;
  const lastUse = meta.metrics.map((m) => new Float64Array(m.chunks));
  let decodedBytes = 0, clock = 0;
  function chunk(m, c) {
    const slot = chunks[m];
    lastUse[m][c] = ++clock;
    if (slot[c] === null) {
      slot[c] = loadScript(`${P.dataPath}${m}/${c}.js`, `${m}/${c}`).then(inflate).then((buf) => {
        slot[c] = buf;
        decodedBytes += buf.length;
        evict();
        if (st.metric === m && st.want >= 0 && Math.floor(st.want / CF) === c && st.layout) P.renderFrame(st.want);
        return buf;
      }, (err) => { slot[c] = null; throw err; }); // a failed load can be retried
    }
    return slot[c];
  }
  function evict() {
    while (decodedBytes > BUDGET) {
      let victim = null, oldest = Infinity;
      chunks.forEach((slot, m) => slot.forEach((buf, c) => {
        if (buf instanceof Uint8Array && lastUse[m][c] < oldest && !(m === st.metric && c === Math.floor(st.frame / CF))) {
          oldest = lastUse[m][c]; victim = [m, c];
        }
      }));
      if (!victim) return;
      decodedBytes -= chunks[victim[0]][victim[1]].length;
      chunks[victim[0]][victim[1]] = null;
    }
  }
  function ensure(from, to, m = st.metric) { // Promise resolved when frames from..to are loaded
    const jobs = [];
    for (let c = Math.floor(from / CF); c <= Math.floor(Math.min(to, N - 1) / CF); c++) jobs.push(chunk(m, c));
    return Promise.all(jobs);
  }
  // For drawing: chunk c of metric m when decoded (marked as just used; the next one is read ahead),
  // else null, its load asked for.
  function usedChunk(m, c) {
    const slot = chunks[m], buf = slot[c];
    if (!(buf instanceof Uint8Array)) { chunk(m, c).catch(P.fail); return null; }
    lastUse[m][c] = ++clock;
    if (c + 1 < slot.length && slot[c + 1] === null) chunk(m, c + 1).catch(() => {}); // read ahead
    return buf;
  }
  function classOf(r, i = st.frame) { // region r's class at frame i in the current metric; NO_DATA while loading
    const c = Math.floor(i / CF), buf = chunks[st.metric][c];
    return buf instanceof Uint8Array ? buf[(i - c * CF) * R + r] : P.NO_DATA;
  }

  // Values, for the tooltip and the table only: loaded when first asked for, a few chunks kept.
  const valueChunks = meta.metrics.map(() => new Map()); // chunk -> Float32Array | Float64Array | Promise
  function valueChunk(m, c) {
    const slot = valueChunks[m], coding = meta.metrics[m].values;
    if (!slot.has(c)) {
      if (slot.size >= 4) slot.delete(slot.keys().next().value); // the oldest goes
      const raw = loadScript(`${P.dataPath}${m}/v${c}.js`, `${m}/v${c}`).then(inflateRaw);
      const decoded = coding.coding === "shown"
        ? Promise.all([raw, chunk(m, c)]).then(([b, classes]) => shownValues(b, classes, coding)) : raw.then(exactValues);
      const loading = decoded.then((v) => {
        slot.set(c, v);
        P.emit("values", { metric: m, chunk: c }); // the tooltip and the table show them
        return v;
      }, (err) => { slot.delete(c); throw err; });
      loading.catch(() => {}); // the tooltip and table show "…" meanwhile; a failed load is retried when next asked for
      slot.set(c, loading);
    }
    return slot.get(c);
  }
  function valueAt(r, i = st.frame, m = st.metric) { // number, null (no data), undefined (loading)
    if (!meta.metrics[m].values) return null;
    const c = Math.floor(i / CF), v = valueChunk(m, c);
    if (!ArrayBuffer.isView(v)) return undefined;
    const x = v[(i - c * CF) * R + r];
    return Number.isNaN(x) ? null : x;
  }
  // A value as stored: its last digit is its class's unit, no more digits and no fewer ("1,234.5",
  // "3.16k" for a unit of 10, "12.35M"), or 7 significant digits for float32 (--values exact) and for
  // numbers of no class (a series' highest and lowest). Grouped and pointed as the reader's language
  // writes numbers ("1.234,5" in de); the suffix stays k, M, B, T. Formatters made once per decimals.
  const float32 = new Intl.NumberFormat(P.locale, { maximumSignificantDigits: 7 }), fixed = new Map();
  function formatValue(x, b, m = st.metric) {
    const coding = meta.metrics[m].values;
    if (coding.coding !== "shown" || b === undefined) return float32.format(x);
    const e = coding.exp[b], p = e > 0 ? Math.min(12, 3 * Math.ceil(e / 3)) : 0, d = Math.max(0, p - e);
    if (!fixed.has(d)) fixed.set(d, new Intl.NumberFormat(P.locale, { minimumFractionDigits: d, maximumFractionDigits: d }));
    return fixed.get(d).format(p ? x / TEN[p] : x) + ["", "k", "M", "B", "T"][p / 3];
  }
  const noData = P.t("noData");
  function valueText(b, v) { // class b's value v (from valueAt) as the tooltip and the table show it
    return b === P.NO_DATA ? noData : v === undefined ? "…" : v === null ? "–" : formatValue(v, b);
  }

  // ---- geometry: TopoJSON -> rings in projected coordinates ----
  function decodeTopology(topo) {
    const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
    const arcs = topo.arcs.map((arc) => {
      const out = new Float64Array(arc.length * 2);
      let x = 0, y = 0;
      for (let k = 0; k < arc.length; k++) {
        x += arc[k][0]; y += arc[k][1];
        out[2 * k] = x * sx + tx; out[2 * k + 1] = y * sy + ty;
      }
      return out;
    });
    const ring = (ids) => {
      const pts = [];
      for (const id of ids) {
        const a = arcs[id < 0 ? ~id : id], n = a.length / 2;
        for (let k = pts.length ? 1 : 0; k < n; k++) { // arcs share their end points
          const j = id < 0 ? n - 1 - k : k;
          pts.push(a[2 * j], a[2 * j + 1]);
        }
      }
      return Float64Array.from(pts);
    };
    P.arcs = arcs;
    // --borders: arcs drawn heavier, once per layout (a mesh of the regions' own arcs, or another file's lines).
    const borders = topo.objects.borders;
    P.borderArcs = borders ? borders.arcs.map((line) => arcs[line[0]]) : [];
    P.rings = topo.objects.regions.geometries.map((g) => {
      if (g.type === "Polygon") return g.arcs.map(ring);
      if (g.type === "MultiPolygon") return g.arcs.flatMap((p) => p.map(ring));
      return [];
    });
  }

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ loadScript, inflateRaw, ensure, usedChunk, classOf, valueChunk, valueAt,
                                                         formatValue, valueText, decodeTopology }));
})(window.choroplethPlayer);
