// build-site player: plays an animated choropleth on one canvas. No dependencies, no network.
// A classic script, not an ES module: Chromium refuses module scripts on file:// pages.
//
// Once per layout: decode the TopoJSON, rasterize every region into a region-id raster and group
// its pixels per region; draw the borders on their own canvas. Per frame: for each region whose
// class changed, write its palette colour into its pixels, put the changed rectangle and redraw
// the borders over it; redraw the title. The cost depends on what changed, never on the frame index.
(function () {
  "use strict";
  const meta = JSON.parse(document.getElementById("choropleth-meta").textContent);
  const N = meta.frames, R = meta.regions.names.length, CF = meta.chunkFrames;
  const NO_DATA = 255;
  const $ = (id) => document.getElementById(id);
  const canvas = $("map"), hover = $("hover");
  // A CPU-backed canvas: frames are written as pixels, and reading them back (tests, video) stays cheap.
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const ui = { play: $("play"), back: $("back"), fwd: $("fwd"), first: $("first"), last: $("last"), loop: $("loop"),
               scrub: $("scrub"), counter: $("counter"), time: $("time"), timeFirst: $("time-first"), timeLast: $("time-last"),
               speed: $("speed"), metric: $("metric"), tooltip: $("tooltip"), status: $("status") };

  // ---- data files: each is a script calling choroplethLoad(key, payload) ----
  const waiting = new Map();
  window.choroplethLoad = (key, payload) => {
    const resolve = waiting.get(key);
    if (resolve) { waiting.delete(key); resolve(payload); }
  };
  function loadScript(src, key) {
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
  async function inflate(b64) {
    const out = await inflateRaw(b64);
    for (let i = R; i < out.length; i++) out[i] += out[i - R]; // undo the per-frame delta (mod 256)
    return out;
  }
  async function inflateValues(b64) { // float32 in four byte planes, each frame XORed with the one before
    const b = await inflateRaw(b64), n = b.length / 4, u = new Uint32Array(n);
    for (let i = 0; i < n; i++) u[i] = (b[i] | (b[n + i] << 8) | (b[2 * n + i] << 16) | (b[3 * n + i] << 24)) >>> 0;
    for (let i = R; i < n; i++) u[i] ^= u[i - R];
    return new Float32Array(u.buffer);
  }

  // ---- state ----
  const chunks = meta.metrics.map((m) => new Array(m.chunks).fill(null)); // Uint8Array | Promise
  const palettes = meta.metrics.map((m) => {
    const p = new Uint32Array(256), rgb = (hex) => [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
    const pack = ([r, g, b]) => ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0; // ImageData is RGBA, little-endian
    p.fill(pack(rgb(m.missing)));
    m.colors.forEach((c, i) => { p[i] = pack(rgb(c)); });
    return p;
  });
  // want: a frame asked for whose chunk is still loading; drawn when it arrives.
  const st = { metric: 0, frame: 0, want: -1, hover: -1, hoverClass: -1, playing: false, fps: 24, fixedSize: null, layout: null,
              view: { zoom: 1, x: NaN, y: NaN }, gesture: false, // view: zoom and centre (NaN: the middle)
              minU: 0.5 }; // smallest text scale, in canvas pixels per CSS pixel of a 1280-wide map

  // Chunks load on demand (and the next one ahead); decoded chunks stay within a memory budget,
  // the least recently used going first, so 100,000 frames × 3,000 regions × 5 metrics fit a phone.
  const BUDGET = 256 * 1024 * 1024;
  const lastUse = meta.metrics.map((m) => new Float64Array(m.chunks));
  let decodedBytes = 0, clock = 0;
  function chunk(m, c) {
    const slot = chunks[m];
    lastUse[m][c] = ++clock;
    if (slot[c] === null) {
      slot[c] = loadScript(`data/${m}/${c}.js`, `${m}/${c}`).then(inflate).then((buf) => {
        slot[c] = buf;
        decodedBytes += buf.length;
        evict();
        if (st.metric === m && st.want >= 0 && Math.floor(st.want / CF) === c && st.layout) renderFrame(st.want);
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

  // Exact values, for the tooltip and the table only: loaded when first asked for, a few chunks kept.
  const valueChunks = meta.metrics.map((m) => new Map()); // chunk -> Float32Array | Promise
  function valueChunk(m, c) {
    const slot = valueChunks[m];
    if (!slot.has(c)) {
      if (slot.size >= 4) slot.delete(slot.keys().next().value); // the oldest goes
      const loading = loadScript(`data/${m}/v${c}.js`, `${m}/v${c}`).then(inflateValues).then((v) => {
        slot.set(c, v);
        if (st.hover >= 0) ui.tooltip.textContent = describe(st.hover);
        if (table.open) tableFill.now();
        return v;
      }, (err) => { slot.delete(c); throw err; });
      loading.catch(() => {}); // the tooltip and table show "…" meanwhile; a failed load is retried when next asked for
      slot.set(c, loading);
    }
    return slot.get(c);
  }
  function valueOf(r, i = st.frame, m = st.metric) { // number, null (no data), undefined (loading)
    if (!meta.metrics[m].values) return null;
    const c = Math.floor(i / CF), v = valueChunk(m, c);
    if (!(v instanceof Float32Array)) return undefined;
    const x = v[(i - c * CF) * R + r];
    return Number.isNaN(x) ? null : x;
  }
  const exact = new Intl.NumberFormat("en", { maximumSignificantDigits: 7 });
  const formatValue = (x) => exact.format(x); // 7 digits: what a float32 holds

  // ---- geometry: TopoJSON -> rings in projected coordinates ----
  let rings = null; // per region: array of Float64Array [x0, y0, x1, y1, ...]
  let arcsXY = null;
  function decodeTopology(topo) {
    const [sx, sy] = topo.transform.scale, [tx, ty] = topo.transform.translate;
    arcsXY = topo.arcs.map((arc) => {
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
        const a = arcsXY[id < 0 ? ~id : id], n = a.length / 2;
        for (let k = pts.length ? 1 : 0; k < n; k++) { // arcs share their end points
          const j = id < 0 ? n - 1 - k : k;
          pts.push(a[2 * j], a[2 * j + 1]);
        }
      }
      return Float64Array.from(pts);
    };
    rings = topo.objects.regions.geometries.map((g) => {
      if (g.type === "Polygon") return g.arcs.map(ring);
      if (g.type === "MultiPolygon") return g.arcs.flatMap((p) => p.map(ring));
      return [];
    });
  }

  // ---- layout: canvas size -> transform, region-id raster, pixels per region, borders ----
  // Where the map goes on a W×H canvas: the bounding box fitted between title and legend, then zoomed
  // by the view about its centre (projected coordinates). Shared by the layout and the gesture preview.
  function placement(W, H, view) {
    const u = Math.max(st.minU, Math.min(W / 1280, H / 720)); // text and lines scale with the canvas, down to a legible size
    const top = Math.round(52 * u), bottom = Math.round(70 * u), pad = Math.round(8 * u);
    const [bx0, by0, bx1, by1] = meta.bbox;
    const aw = W - 2 * pad, ah = H - top - bottom - 2 * pad;
    const k0 = Math.min(aw / (bx1 - bx0), ah / (by1 - by0)), k = k0 * view.zoom;
    const ox = pad + aw / 2 - (view.x - bx0) * k, oy = top + pad + ah / 2 - (by1 - view.y) * k;
    return { W, H, u, top, bottom, aw, ah, k0, k, ox, oy, bx0, by1 };
  }
  const MAX_ZOOM = 32;
  const home = () => { const [bx0, by0, bx1, by1] = meta.bbox; return { zoom: 1, x: (bx0 + bx1) / 2, y: (by0 + by1) / 2 }; };
  function clampView(v, W, H) { // zoom 1…32; the map never slides off: the view's centre stays where it can fill the area
    const [bx0, by0, bx1, by1] = meta.bbox, zoom = Math.min(MAX_ZOOM, Math.max(1, Number(v.zoom) || 1));
    const P = placement(W, H, { zoom, x: 0, y: 0 }), hw = P.aw / 2 / P.k, hh = P.ah / 2 / P.k;
    const fit = (c, lo, hi, half) => (2 * half >= hi - lo || !Number.isFinite(c) ? (lo + hi) / 2 : Math.min(hi - half, Math.max(lo + half, c)));
    return { zoom, x: fit(v.x, bx0, bx1, hw), y: fit(v.y, by0, by1, hh) };
  }

  // The map's part of the canvas, between title and legend: [x, y, width, height]. A zoomed map is cut off there.
  const mapArea = (L) => [0, L.top, L.W, L.H - L.top - L.bottom];
  function clipToMap(c, L) { c.beginPath(); c.rect(...mapArea(L)); c.clip(); }
  function tracePath(path, p) { // a polyline of canvas pixels [x0, y0, x1, y1, …] added to a Path2D
    if (p.length) path.moveTo(p[0], p[1]);
    for (let i = 2; i < p.length; i += 2) path.lineTo(p[i], p[i + 1]);
  }
  function layout(W, H) {
    st.view = clampView(st.view, W, H);
    const L = placement(W, H, st.view), { u, top, bottom, k, ox, oy, bx0, by1 } = L;
    L.toPx = (x, y) => [ox + (x - bx0) * k, oy + (by1 - y) * k];
    L.project = (a) => { // [x0, y0, x1, y1, …] projected -> the same in canvas pixels
      const p = new Float64Array(a.length);
      for (let i = 0; i < a.length; i += 2) { p[i] = ox + (a[i] - bx0) * k; p[i + 1] = oy + (by1 - a[i + 1]) * k; }
      return p;
    };
    const globe = meta.globe && [...L.toPx(meta.globe[0], meta.globe[1]), meta.globe[2] * k]; // centre and radius, pixels

    // Rasterize with even-odd scanlines at pixel centres: exact region ids, no antialiased blends.
    const ids = new Int32Array(W * H).fill(-1);
    for (let r = 0; r < R; r++) {
      const px = rings[r].map(L.project);
      let ymin = Infinity, ymax = -Infinity;
      for (const p of px) for (let i = 1; i < p.length; i += 2) { ymin = Math.min(ymin, p[i]); ymax = Math.max(ymax, p[i]); }
      // Only the rows between title and legend: zoomed in, the map is cut off there.
      const y0 = Math.max(top, Math.ceil(ymin - 0.5)), y1 = Math.min(H - bottom - 1, Math.floor(ymax - 0.5));
      if (y1 < y0) continue;
      const rows = Array.from({ length: y1 - y0 + 1 }, () => []);
      for (const p of px) {
        for (let i = 0; i + 3 < p.length; i += 2) {
          // Always from the upper end: a border shared by two regions then crosses at the same x for both.
          const down = p[i + 1] < p[i + 3], j = down ? i : i + 2, q = down ? i + 2 : i;
          const ax = p[j], ay = p[j + 1], bx = p[q], by = p[q + 1];
          if (ay === by) continue;
          const lo = Math.max(y0, Math.ceil(ay - 0.5)), hi = Math.min(y1, Math.ceil(by - 0.5) - 1);
          for (let y = lo; y <= hi; y++) rows[y - y0].push(ax + (y + 0.5 - ay) * (bx - ax) / (by - ay));
        }
      }
      for (let y = y0; y <= y1; y++) {
        const xs = rows[y - y0].sort((a, b) => a - b), base = y * W;
        for (let i = 0; i + 1 < xs.length; i += 2) {
          const xa = Math.max(0, Math.ceil(xs[i] - 0.5)), xb = Math.min(W, Math.ceil(xs[i + 1] - 0.5));
          for (let x = xa; x < xb; x++) ids[base + x] = r;
        }
      }
    }
    // Pixels grouped per region (counting sort) and each region's pixel bounding box.
    const start = new Int32Array(R + 1), box = new Int32Array(R * 4);
    for (let r = 0; r < R; r++) { box[4 * r] = W; box[4 * r + 1] = H; box[4 * r + 2] = -1; box[4 * r + 3] = -1; }
    for (let p = 0; p < ids.length; p++) if (ids[p] >= 0) start[ids[p] + 1]++;
    for (let r = 0; r < R; r++) start[r + 1] += start[r];
    const pix = new Int32Array(start[R]), fill = start.slice(0, R);
    for (let p = 0; p < ids.length; p++) {
      const r = ids[p];
      if (r < 0) continue;
      pix[fill[r]++] = p;
      const x = p % W, y = (p - x) / W, b = 4 * r;
      if (x < box[b]) box[b] = x; if (y < box[b + 1]) box[b + 1] = y;
      if (x > box[b + 2]) box[b + 2] = x; if (y > box[b + 3]) box[b + 3] = y;
    }
    Object.assign(L, { ids, start, pix, box });

    // The fill image (background everywhere, regions painted per frame) and the borders layer.
    L.img = new ImageData(W, H);
    L.img32 = new Uint32Array(L.img.data.buffer);
    const bg = getComputedStyle(document.body).getPropertyValue("--map-bg").trim() || "#f4f6f8";
    L.img32.fill(parseInt(bg.slice(5, 7) + bg.slice(3, 5) + bg.slice(1, 3), 16) | 0xff000000);
    L.bg = bg;
    if (globe) { // an orthographic map: the sea inside the horizon, once per layout (frames never touch it)
      const [gx, gy, gr] = globe, sea = 0xfff5ebe3; // #e3ebf5
      for (let y = Math.max(top, Math.ceil(gy - gr)); y <= Math.min(H - bottom - 1, gy + gr); y++) {
        const half = Math.sqrt(Math.max(0, gr * gr - (y + 0.5 - gy) ** 2));
        for (let x = Math.max(0, Math.ceil(gx - half - 0.5)), x1 = Math.min(W, Math.ceil(gx + half - 0.5)); x < x1; x++) {
          if (ids[y * W + x] < 0) L.img32[y * W + x] = sea;
        }
      }
    }
    L.borders = document.createElement("canvas");
    L.borders.width = W; L.borders.height = H;
    const bctx = L.borders.getContext("2d"), path = new Path2D();
    for (const a of arcsXY) tracePath(path, L.project(a));
    bctx.strokeStyle = "rgba(70,70,70,0.55)";
    bctx.lineWidth = Math.max(0.5, 0.6 * u);
    bctx.lineJoin = "round";
    clipToMap(bctx, L);
    if (globe) { const [gx, gy, gr] = globe; path.moveTo(gx + gr, gy); path.arc(gx, gy, gr, 0, 2 * Math.PI); }
    bctx.stroke(path);
    L.shown = new Int16Array(R).fill(-1);
    L.paths = new Array(R); // region outlines for the overlay, built when first hovered
    canvas.width = W; canvas.height = H;
    hover.width = W; hover.height = H;
    st.layout = L;
    paintMap(0, 0, W, H);
    drawLegend();
    drawOverlay(); // resizing the overlay cleared it
  }

  // ---- text: title with the frame's time, legend ----
  const pad2 = (n, w = 2) => String(n).padStart(w, "0");
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  // Full month and weekday names (of a UTC day), formatters made once: toLocaleString builds one per call.
  const monthName = new Intl.DateTimeFormat("en", { month: "long", timeZone: "UTC" });
  const weekdayName = new Intl.DateTimeFormat("en", { weekday: "long", timeZone: "UTC" });
  // Calendar fields of an instant in the map's time zone. Intl knows the zones' rules (offline, in
  // every current browser); one formatToParts call per frame.
  const zoned = meta.tz && meta.unit !== "month" && new Intl.DateTimeFormat("en-US", {
    timeZone: meta.tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric", timeZoneName: "short" });
  function fields(ms) {
    if (!zoned) {
      const d = new Date(ms);
      return { Y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), H: d.getUTCHours(),
               M: d.getUTCMinutes(), S: d.getUTCSeconds(), Z: "UTC" };
    }
    const f = {};
    for (const p of zoned.formatToParts(ms)) f[p.type] = p.value;
    return { Y: +f.year, m: +f.month, d: +f.day, H: +f.hour % 24, M: +f.minute, S: +f.second, Z: f.timeZoneName };
  }
  function strftime(fmt, ms) { // the common strftime directives, in the map's time zone
    const t = fields(ms), day = Date.UTC(t.Y, t.m - 1, t.d);
    return fmt.replace(/%([YymdHMSbBaAjeZ%])/g, (_, c) => {
      switch (c) {
        case "Y": return String(t.Y);
        case "y": return pad2(t.Y % 100);
        case "m": return pad2(t.m);
        case "d": return pad2(t.d);
        case "e": return String(t.d);
        case "H": return pad2(t.H);
        case "M": return pad2(t.M);
        case "S": return pad2(t.S);
        case "b": return MONTHS[t.m - 1];
        case "B": return monthName.format(day);
        case "a": return DAYS[new Date(day).getUTCDay()];
        case "A": return weekdayName.format(day);
        case "j": return pad2((day - Date.UTC(t.Y, 0, 1)) / 864e5 + 1, 3);
        case "Z": return t.Z;
        default: return "%";
      }
    });
  }
  // Frame i starts at start + i × step: seconds since 1970, or calendar months since January 1970.
  const timeOf = meta.unit === "month" ? (i) => Date.UTC(1970, meta.start + i * meta.step, 1)
                                       : (i) => (meta.start + i * meta.step) * 1000;
  const timeText = (i) => strftime(meta.timeFormat, timeOf(i));
  const titleOf = (when) => `${meta.title} — ${when}`;
  const titleText = (i) => titleOf(timeText(i));
  const font = (px, weight = "") => `${weight} ${Math.round(px)}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  const INK = "#1f2328", PAPER = "#ffffff";

  function drawTitle(text) { // once per layout and text: a time format coarser than the frames repeats it
    const L = st.layout;
    if (L.title === text) return;
    L.title = text;
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, L.W, L.top);
    ctx.fillStyle = INK;
    ctx.font = font(22 * L.u, "600");
    ctx.textBaseline = "middle";
    ctx.textAlign = "left";
    ctx.fillText(text, 14 * L.u, L.top / 2, L.W - 28 * L.u);
  }

  const number = new Intl.NumberFormat("en", { notation: "compact", maximumSignificantDigits: 3 });
  // Each metric's class edges as the legend, tooltip and table show them: formatted once.
  const edgeLabels = meta.metrics.map((m) => m.labels || m.edges.map((e) => number.format(e)));
  function drawLegend() {
    const L = st.layout, m = meta.metrics[st.metric], k = m.colors.length, u = L.u;
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
    ctx.fillText("no data", L.W - 74 * u, by + 1 * u);
    const labels = edgeLabels[st.metric];
    const widest = Math.max(...labels.map((s) => ctx.measureText(s).width)) + 8 * u;
    const every = Math.max(1, Math.ceil(widest / w));
    ctx.textAlign = "center";
    for (let i = 0; i <= k; i += every) {
      ctx.fillRect(x0 + i * w - 0.5 * u, by + h, 1 * u, 4 * u);
      ctx.fillText(labels[i], x0 + i * w, by + h + 6 * u);
    }
  }

  // ---- the per-frame path ----
  function setText(el, text) { // true when the text changed: the DOM is touched only then
    if (el.textContent === text) return false;
    el.textContent = text;
    return true;
  }
  function paintMap(x, y, w, h) { // the fill image and the borders over it, within a rectangle of the canvas
    const L = st.layout;
    ctx.putImageData(L.img, 0, 0, x, y, w, h);
    ctx.drawImage(L.borders, x, y, w, h, x, y, w, h);
  }
  function renderFrame(i) {
    const L = st.layout;
    if (!L) return false;
    i = Math.max(0, Math.min(N - 1, Math.round(i)));
    const m = st.metric, c = Math.floor(i / CF), buf = chunks[m][c];
    if (!(buf instanceof Uint8Array)) { st.want = i; chunk(m, c).catch(fail); return false; }
    st.want = -1;
    st.frame = i;
    lastUse[m][c] = ++clock;
    if (c + 1 < chunks[m].length && chunks[m][c + 1] === null) chunk(m, c + 1).catch(() => {}); // read ahead
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
    const when = timeText(i); // formatted once, shown three times
    drawTitle(titleOf(when));
    ui.scrub.value = i;
    ui.counter.textContent = `${i + 1} / ${N}`;
    if (setText(ui.time, when)) ui.scrub.setAttribute("aria-valuetext", when); // a screen reader says the time, not the index
    if (st.hover >= 0) setText(ui.tooltip, describe(st.hover));
    if (st.hoverClass >= 0) { setText(ui.tooltip, legendText(st.hoverClass)); drawOverlay(); } // class members change
    if (table.open) tableFill.soon(); // at most 4 times a second while it plays
    hashState.soon();
    return true;
  }

  // ---- controls ----
  let lastTick = 0, rafId = 0;
  function tick(now) {
    rafId = 0;
    if (!st.playing) return;
    const interval = st.fps ? 1000 / st.fps : 0;
    // Keep to the schedule rather than to the last screen refresh, or 24/s on a 60 Hz screen plays at 20.
    if (st.frame + 1 >= N && !ui.loop.checked) { setPlaying(false); return; }
    if (now - lastTick >= interval - 1 && renderFrame(st.frame + 1 >= N ? 0 : st.frame + 1)) {
      lastTick = Math.max(lastTick + interval, now - interval);
    }
    rafId = requestAnimationFrame(tick);
  }
  function setPlaying(on) {
    if (!st.layout) return;
    st.playing = on;
    ui.play.textContent = on ? "❚❚" : "▶";
    ui.play.setAttribute("aria-label", on ? "Pause" : "Play");
    if (on && !rafId) { lastTick = performance.now() - 1000; rafId = requestAnimationFrame(tick); }
    hashState.now();
  }

  // fn at once, or, when it ran less than ms ago, once as ms have passed (soon); now runs it at once.
  // The URL hash and the table follow the frames through one of these.
  function throttle(fn, ms) {
    let at = -Infinity, timer = 0;
    const cancel = () => { clearTimeout(timer); timer = 0; };
    const now = () => { cancel(); at = performance.now(); fn(); };
    const soon = () => {
      if (timer) return;
      const wait = at + ms - performance.now();
      if (wait <= 0) now(); else timer = setTimeout(now, wait);
    };
    return { now, soon, cancel };
  }

  // State in the URL hash (frame, metric, speed, playing, view), so a moment can be shared. Written at
  // most every 250 ms during playback (replaceState: no history entry per frame).
  const hashState = throttle(saveState, 250);
  function saveState() {
    const v = st.view, zoomed = v.zoom > 1 && Number.isFinite(v.x) && Number.isFinite(v.y);
    const hash = `#frame=${st.frame}&metric=${st.metric}&speed=${st.fps}&playing=${st.playing ? 1 : 0}` +
      (zoomed ? `&zoom=${+v.zoom.toFixed(3)}&x=${Math.round(v.x)}&y=${Math.round(v.y)}` : "");
    try { // Safari throws when a page replaces its URL too often; losing one save is harmless
      if (location.hash !== hash) history.replaceState(null, "", hash);
    } catch (err) { /* the next save tries again */ }
  }
  function restoreState() {
    const q = new URLSearchParams(location.hash.slice(1));
    const num = (k, lo, hi) => { const v = Number(q.get(k)); return q.has(k) && Number.isInteger(v) && v >= lo && v <= hi ? v : null; };
    const speed = num("speed", 0, 60), metric = num("metric", 0, meta.metrics.length - 1), frame = num("frame", 0, N - 1);
    if (speed !== null && [...ui.speed.options].some((o) => o.value === String(speed))) { st.fps = speed; ui.speed.value = String(speed); }
    const zoom = Number(q.get("zoom")), x = Number(q.get("x")), y = Number(q.get("y"));
    if (zoom > 1 && zoom <= MAX_ZOOM && q.has("x") && q.has("y") && Number.isFinite(x) && Number.isFinite(y)) st.view = { zoom, x, y };
    return { metric, frame, playing: q.get("playing") === "1" };
  }
  function setMetric(m) {
    st.metric = m;
    ui.metric.value = String(m);
    st.layout.shown.fill(-1);
    drawLegend();
    renderFrame(st.frame); // now, or when its chunk arrives
    return ensure(st.frame, st.frame).then(() => undefined);
  }
  ui.play.addEventListener("click", () => setPlaying(!st.playing));
  ui.back.addEventListener("click", () => renderFrame(st.frame - 1));
  ui.first.addEventListener("click", () => renderFrame(0));
  ui.last.addEventListener("click", () => renderFrame(N - 1));
  ui.fwd.addEventListener("click", () => renderFrame(st.frame + 1));
  // A drag fires input events faster than the screen refreshes: draw the first at once, then at most
  // one per animation frame (the latest value), so the map keeps up with the thumb at any frame count.
  let scrubPending = false, scrubRaf = 0;
  function scrubbed() {
    if (scrubRaf) { scrubPending = true; return; }
    renderFrame(Number(ui.scrub.value));
    scrubRaf = requestAnimationFrame(() => {
      scrubRaf = 0;
      if (scrubPending) { scrubPending = false; scrubbed(); }
    });
  }
  ui.scrub.addEventListener("input", scrubbed);
  ui.speed.addEventListener("change", () => { st.fps = Number(ui.speed.value); });
  ui.metric.addEventListener("change", () => setMetric(Number(ui.metric.value)));
  document.addEventListener("keydown", (e) => {
    if (!st.layout || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = e.target;
    // Keys that belong to the focused control stay with it: typing, choosing in a list, and space or
    // Enter on a button or checkbox (which activates that control, not play/pause).
    if (t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || t.isContentEditable ||
        t instanceof HTMLInputElement && !["range", "checkbox"].includes(t.type)) return;
    if ((e.key === " " || e.key === "Enter") && (t instanceof HTMLButtonElement || t instanceof HTMLInputElement && t.type === "checkbox")) return;
    const step = e.shiftKey ? 10 : 1;
    if (e.key === " ") { setPlaying(!st.playing); e.preventDefault(); }
    else if (e.key === "ArrowRight") { renderFrame(st.frame + step); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { renderFrame(st.frame - step); e.preventDefault(); }
    else if (e.key === "Home") { renderFrame(0); e.preventDefault(); }
    else if (e.key === "End") { renderFrame(N - 1); e.preventDefault(); }
    else if (e.key === "+" || e.key === "=") setView({ zoom: st.view.zoom * 1.5 });
    else if (e.key === "-") setView({ zoom: st.view.zoom / 1.5 });
    else if (e.key === "0") setView(home());
  });

  // Tooltip: region under the pointer, its class for the current frame; the region outlined.
  function regionAt(x, y) {
    const L = st.layout;
    if (!L || x < 0 || y < 0 || x >= L.W || y >= L.H) return -1;
    return L.ids[Math.floor(y) * L.W + Math.floor(x)];
  }
  function classOf(r, i = st.frame) {
    const c = Math.floor(i / CF), buf = chunks[st.metric][c];
    return buf instanceof Uint8Array ? buf[(i - c * CF) * R + r] : NO_DATA;
  }
  function classText(b) { // class b's value range in the current metric
    const labels = edgeLabels[st.metric];
    return b === NO_DATA ? "no data" : `${labels[b]} – ${labels[b + 1]}`;
  }
  function describe(r) { // "France: 1,234.5 (1,000 – 1,500)"; the value follows once its chunk is loaded
    const b = classOf(r), name = meta.regions.names[r];
    if (b === NO_DATA) return `${name}: no data`;
    const v = valueOf(r);
    return `${name}: ${v === null ? "" : valueText(b, v) + " "}(${classText(b)})`;
  }
  // ---- the hover overlay: the region under the pointer outlined, or a legend class's regions
  // highlighted. Drawn on its own canvas only while something is hovered, so idle it costs nothing.
  function regionPath(r) { // the region's outline in canvas pixels, built once per layout
    const L = st.layout;
    if (!L.paths[r]) {
      const path = new Path2D();
      for (const ring of rings[r]) { tracePath(path, L.project(ring)); path.closePath(); }
      L.paths[r] = path;
    }
    return L.paths[r];
  }
  function drawOverlay() {
    const L = st.layout, h = hover.getContext("2d");
    h.clearRect(0, 0, L.W, L.H);
    if (st.hover < 0 && st.hoverClass < 0) return;
    h.save();
    clipToMap(h, L);
    h.strokeStyle = INK;
    if (st.hoverClass >= 0) { // wash out the map, then cut the class's regions back out of the wash
      h.fillStyle = "rgba(244, 246, 248, 0.8)";
      h.fillRect(...mapArea(L));
      h.lineWidth = 1.5 * L.u;
      h.fillStyle = "#000"; // opaque, so the cut-out leaves no wash behind
      for (let r = 0; r < R; r++) {
        if (classOf(r) !== st.hoverClass) continue;
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
      const [x, y, w, bh] = legendBox(st.hoverClass);
      h.lineWidth = 2 * L.u;
      h.strokeRect(x, y, w, bh);
    }
  }
  function legendAt(x, y) { // the legend class under a canvas pixel: its index, NO_DATA, or -1
    const g = st.layout && st.layout.legend;
    if (!g || y < g.y || y >= g.y + g.h) return -1;
    if (x >= g.x0 && x < g.x0 + g.k * g.w) return Math.min(g.k - 1, Math.floor((x - g.x0) / g.w));
    if (x >= g.nx && x < g.nx + g.nw) return NO_DATA;
    return -1;
  }
  function legendBox(i) { // [x, y, width, height] of legend class i (or NO_DATA) in canvas pixels
    const g = st.layout.legend;
    return i === NO_DATA ? [g.nx, g.y, g.nw, g.h] : [g.x0 + i * g.w, g.y, g.w, g.h];
  }
  function legendText(c) {
    let n = 0;
    for (let r = 0; r < R; r++) if (classOf(r) === c) n++;
    return `${classText(c)}: ${n} ${n === 1 ? "region" : "regions"}`;
  }
  // Hover (mouse) or tap (touch, pen): what is under the pointer, told in the tooltip and drawn on the overlay.
  function pointAt(e) {
    const L = st.layout;
    if (!L || st.gesture) return;
    const [x, y, , rect] = toCanvas(e);
    const c = legendAt(x, y), r = c < 0 ? regionAt(x, y) : -1;
    if (r !== st.hover || c !== st.hoverClass) { st.hover = r; st.hoverClass = c; drawOverlay(); }
    const tip = ui.tooltip;
    if (r < 0 && c < 0) { tip.hidden = true; return; }
    tip.textContent = r >= 0 ? describe(r) : legendText(c);
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
    if (st.layout) drawOverlay();
  }
  canvas.addEventListener("pointermove", (e) => { if (e.pointerType === "mouse") pointAt(e); });
  canvas.addEventListener("pointerdown", (e) => { if (e.pointerType !== "mouse") pointAt(e); });
  // A finger lifting also "leaves": the tapped tooltip stays until the next tap elsewhere.
  canvas.addEventListener("pointerleave", (e) => { if (e.pointerType === "mouse") unhover(); });
  document.addEventListener("pointerdown", (e) => { if (e.target !== canvas) unhover(); });

  // ---- zoom and pan: wheel, pinch, drag; double-click or "Reset view" goes back. The view is part of
  // the layout, so a frame costs the same at any zoom. During a gesture the map drawn last is shown
  // scaled and moved (one drawImage per screen refresh); once it settles the layout is redone at the new view.
  const gesture = { view: null, snap: null, pointers: new Map(), timer: 0, raf: 0 };
  function toCanvas(e) { // the pointer in canvas pixels; s: canvas pixels per CSS pixel; rect: the canvas on screen
    const rect = canvas.getBoundingClientRect(), s = canvas.width / rect.width;
    return [(e.clientX - rect.left) * s, (e.clientY - rect.top) * s, s, rect];
  }
  const inMap = (x, y) => { const L = st.layout; return !!L && x >= 0 && x < L.W && y >= L.top && y < L.H - L.bottom; };
  function beginGesture() {
    if (st.gesture) return;
    const L = st.layout, area = mapArea(L);
    unhover();
    st.gesture = true;
    gesture.view = { ...st.view };
    gesture.snap = gesture.snap || document.createElement("canvas");
    gesture.snap.width = L.W; gesture.snap.height = L.H; // (also clears it)
    gesture.snap.getContext("2d").drawImage(canvas, ...area, ...area); // the map area only
  }
  function zoomAt(f, x, y) { // zoom the pending view by f about canvas pixel (x, y)
    const L = st.layout, v = gesture.view, P = placement(L.W, L.H, v);
    const px = L.bx0 + (x - P.ox) / P.k, py = L.by1 - (y - P.oy) / P.k; // the point under (x, y), kept there
    const g = Math.min(MAX_ZOOM, Math.max(1, v.zoom * f)) / v.zoom;
    gesture.view = clampView({ zoom: v.zoom * g, x: px + (v.x - px) / g, y: py + (v.y - py) / g }, L.W, L.H);
  }
  function panBy(dx, dy) {
    const L = st.layout, v = gesture.view, k = placement(L.W, L.H, v).k;
    gesture.view = clampView({ zoom: v.zoom, x: v.x - dx / k, y: v.y + dy / k }, L.W, L.H);
  }
  function preview() {
    gesture.raf = 0;
    if (!st.gesture) return;
    const L = st.layout, P = placement(L.W, L.H, gesture.view), s = P.k / L.k;
    ctx.save();
    clipToMap(ctx, L);
    ctx.fillStyle = L.bg;
    ctx.fillRect(...mapArea(L));
    ctx.setTransform(s, 0, 0, s, P.ox - L.ox * s, P.oy - L.oy * s);
    ctx.drawImage(gesture.snap, 0, 0);
    ctx.restore();
  }
  function moved() { if (!gesture.raf) gesture.raf = requestAnimationFrame(preview); }
  function settle(delay) {
    clearTimeout(gesture.timer);
    gesture.timer = setTimeout(() => {
      if (gesture.pointers.size || !st.gesture) return; // still held: letting go settles it
      st.gesture = false;
      const v = gesture.view, L = st.layout;
      if (v.zoom !== st.view.zoom || v.x !== st.view.x || v.y !== st.view.y) { setView(v); return; }
      // Nowhere new (a drag that came back, zooming out of the whole map): show the map as it is now.
      paintMap(...mapArea(L));
    }, delay);
  }
  function setView(v) { // {zoom, x, y}: zoom 1 is the whole map; x, y the projected centre
    st.view = { ...st.view, ...v };
    if (st.layout) resize(st.layout.W, st.layout.H);
    hashState.now(); // the view is part of a shared link
  }
  canvas.addEventListener("wheel", (e) => {
    const [x, y] = toCanvas(e);
    // Over the title or legend, or zooming out of the whole map, the page scrolls.
    if (!inMap(x, y) || e.deltaY > 0 && st.view.zoom <= 1 && !st.gesture) return;
    e.preventDefault();
    const px = e.deltaY * (e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 800 : 1); // Firefox scrolls in lines
    beginGesture();
    zoomAt(Math.exp(-Math.max(-300, Math.min(300, px)) * 0.002), x, y);
    moved();
    settle(250);
  }, { passive: false });
  canvas.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    const [x, y] = toCanvas(e);
    if (!inMap(x, y)) return;
    gesture.pointers.set(e.pointerId, [x, y]);
    if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId); // a drag may leave the canvas
  });
  canvas.addEventListener("pointermove", (e) => {
    const pts = gesture.pointers, p = pts.get(e.pointerId);
    if (!p) return;
    const [x, y, s] = toCanvas(e);
    // A click or a tap moves a little: a drag starts 6 CSS pixels away from where it went down.
    if (!st.gesture && pts.size === 1 && Math.hypot(x - p[0], y - p[1]) < 6 * s) return;
    beginGesture();
    if (pts.size === 1) panBy(x - p[0], y - p[1]);
    else { // pinch: the two fingers' distance zooms, their midpoint pans
      const [o] = [...pts].filter(([id]) => id !== e.pointerId).map(([, q]) => q);
      const d0 = Math.hypot(p[0] - o[0], p[1] - o[1]), d1 = Math.hypot(x - o[0], y - o[1]);
      const mx = (p[0] + o[0]) / 2, my = (p[1] + o[1]) / 2;
      if (d0 > 0) zoomAt(d1 / d0, mx, my);
      panBy((x + o[0]) / 2 - mx, (y + o[1]) / 2 - my);
    }
    pts.set(e.pointerId, [x, y]);
    moved();
  });
  const lift = (e) => {
    if (!gesture.pointers.delete(e.pointerId)) return;
    if (st.gesture && !gesture.pointers.size) settle(0);
  };
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);
  canvas.addEventListener("dblclick", () => setView(home()));
  $("reset-view").addEventListener("click", () => setView(home()));

  // ---- table view of the current frame: a real <table> a screen reader can walk, sortable by column.
  // Rows are built when first opened; while open they follow the frame at most 4 times a second; closed, it costs nothing.
  const table = { open: false, rows: null, key: "region", dir: 1,
                  view: $("table-view"), body: document.querySelector("#table-view tbody"), caption: $("table-caption"),
                  toggle: $("table-toggle"), heads: [...document.querySelectorAll("#table-view thead th")] };
  const collator = new Intl.Collator("en");
  function valueText(b, v) { // the exact value, as the tooltip shows it
    return b === NO_DATA ? "no data" : v === undefined ? "…" : v === null ? "–" : formatValue(v);
  }
  const tableFill = throttle(fillTable, 250);
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
        table.body.append(tr);
        return { r, name, tr, value, swatch, range, text: null, shown: -1, b: NO_DATA };
      });
    }
    table.caption.textContent = `${m.label} at ${timeText(st.frame)}`;
    for (const row of table.rows) { // touch the DOM only where something changed
      const b = classOf(row.r), v = b === NO_DATA ? null : valueOf(row.r), text = valueText(b, v);
      const shown = st.metric * 256 + b;
      row.b = b;
      row.v = typeof v === "number" ? v : NaN;
      if (text !== row.text) row.value.textContent = row.text = text;
      if (shown !== row.shown) {
        row.shown = shown;
        row.range.textContent = classText(b);
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

  function fitToWindow() {
    const box = canvas.parentElement.getBoundingClientRect();
    const cssW = Math.max(320, Math.floor(box.width));
    // Narrow (phone) screens get a taller canvas: the title and legend take a larger share of it.
    const cssH = Math.max(200, Math.min(Math.floor(cssW * (cssW < 700 ? 3 / 4 : 9 / 16)), window.innerHeight - 90));
    // Device pixels for crisp lines and text, within 16 million pixels: Safari refuses larger canvases.
    const dpr = Math.min(window.devicePixelRatio || 1, Math.sqrt(16e6 / (cssW * cssH)));
    st.minU = 0.8 * dpr; // an 18-pixel title and 10-pixel legend labels at least, on any screen
    return [Math.round(cssW * dpr), Math.round(cssH * dpr)];
  }
  function resize(W, H) {
    if (!rings) return;
    layout(W, H);
    renderFrame(st.frame);
  }
  let resizeTimer = 0;
  function refit() {
    if (st.fixedSize) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => resize(...fitToWindow()), 150);
  }
  window.addEventListener("resize", refit);
  // Moving the window to a screen of another pixel ratio need not fire "resize": watch the ratio itself.
  (function watchRatio() {
    if (!window.matchMedia) return;
    const mq = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    const changed = () => { if (mq.removeEventListener) mq.removeEventListener("change", changed); else mq.removeListener(changed); refit(); watchRatio(); };
    if (mq.addEventListener) mq.addEventListener("change", changed); else mq.addListener(changed); // Safari < 14: addListener
  })();
  function fail(err) {
    ui.status.hidden = false;
    ui.status.textContent = `Cannot show the map: ${err.message}`;
    console.error(err);
  }

  // ---- automation API: tests, video capture and users' scripts drive the page through this ----
  const api = {
    frameCount: N,
    regionCount: R,
    meta,
    get frame() { return st.frame; },
    get metric() { return st.metric; },
    get playing() { return st.playing; },
    get canvas() { return canvas; },
    renderFrame, // (i) -> true when drawn synchronously, false while its chunk is still loading
    ensure, // (from, to, metric?) -> Promise: those frames' data loaded
    setMetric, // (m) -> Promise
    play: () => setPlaying(true),
    pause: () => setPlaying(false),
    resize(W, H) { st.fixedSize = [W, H]; st.minU = 0.5; canvas.style.width = `${W / (window.devicePixelRatio || 1)}px`; resize(W, H); },
    pixelOf(x, y) { return st.layout.toPx(x, y); }, // projected map coordinates -> canvas pixel
    colorAt(x, y) { const d = ctx.getImageData(Math.floor(x), Math.floor(y), 1, 1).data; return [d[0], d[1], d[2]]; },
    regionAt, // canvas pixel -> region index (-1 outside)
    legendBox, // (class or 255 for no data) -> [x, y, width, height] of its legend swatch, canvas pixels
    legendAt, // canvas pixel -> legend class under it (255 no data, -1 none)
    showTable, // (on) the table view of the current frame
    get view() { return { ...st.view }; }, // {zoom, x, y} the map is laid out at (pixelOf, regionAt follow it)
    setView, // ({zoom?, x?, y?}) zoom 1…32 about projected centre x, y; redoes the layout
    resetView: () => setView(home()),
    classOf, // (region, frame?) -> class index, 255 = no data
    describe, // region -> tooltip text
    valueOf, // (region, frame?, metric?) -> exact value, null = none, undefined = still loading
    values: (i = st.frame, m = st.metric) => // Promise: frame i's exact values loaded (the tooltip's)
      (meta.metrics[m].values ? valueChunk(m, Math.floor(i / CF)) : Promise.resolve()).then(() => undefined),
    title: titleText,
    async measure(from, count) { // ms to draw each of frames from..from+count-1, pixels flushed
      await ensure(from, from + count - 1);
      const times = [];
      for (let i = from; i < from + count; i++) {
        const t = performance.now();
        renderFrame(i);
        ctx.getImageData(0, 0, 1, 1); // forces the canvas to finish drawing
        times.push(performance.now() - t);
      }
      return times;
    },
  };
  window.choropleth = api;
  api.ready = (async () => {
    meta.metrics.forEach((m, i) => ui.metric.add(new Option(m.name, String(i))));
    if (meta.metrics.length < 2) $("metric-label").hidden = true;
    ui.scrub.max = String(N - 1);
    ui.timeFirst.textContent = timeText(0);
    ui.timeLast.textContent = timeText(N - 1);
    const saved = restoreState();
    if (saved.metric) st.metric = saved.metric;
    if (saved.frame) st.frame = saved.frame;
    ui.metric.value = String(st.metric);
    const [topo] = await Promise.all([loadScript("topology.js", "topology"), ensure(st.frame, st.frame)]);
    decodeTopology(topo);
    resize(...fitToWindow());
    ui.status.hidden = true;
    if (saved.playing) setPlaying(true);
  })();
  api.ready.catch(fail);
})();
