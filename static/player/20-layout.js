// @ts-check
// build-site player, part 20: the layout. Where the map goes on the canvas (fitted between title and
// legend, zoomed by the view), the region-id raster, each region's pixels and box, the background and
// the borders' canvas (--borders' lines heavier), all once per layout; the canvas fitted to the window
// and redone on resize.
(function (P) {
  "use strict";
  const { meta, st, R, canvas } = P;

  // Where the map goes on a W×H canvas: the bounding box fitted between title and legend, then zoomed
  // by the view about its centre (projected coordinates). Shared by the layout and the gesture preview.
  // scale: canvas pixels per pixel of the 1280×720 design (text, lines, margins); areaW, areaH: the
  // map's area inside its padding; pixelsPerUnit: canvas pixels per projected unit (fitPixelsPerUnit at
  // zoom 1, where the bounding box fits the area); originX, originY: the canvas pixel of the bounding
  // box's corner (bx0, by1).
  function placement(W, H, view) {
    const scale = Math.max(st.minU, Math.min(W / 1280, H / 720)); // text and lines scale with the canvas, down to a legible size
    // head: the title's band; top adds the subtitle's (68-credits); bottom: the legend's, and the credits' when in the canvas.
    const head = Math.round((meta.subtitle ? 40 : 52) * scale), top = head + P.subtitleHeight(W, scale);
    const foot = P.footHeight(W, scale), bottom = Math.round(70 * scale) + foot, pad = Math.round(8 * scale);
    const [bx0, by0, bx1, by1] = meta.bbox;
    const areaW = W - 2 * pad, areaH = H - top - bottom - 2 * pad;
    const fitPixelsPerUnit = Math.min(areaW / (bx1 - bx0), areaH / (by1 - by0)), k = fitPixelsPerUnit * view.zoom;
    const originX = pad + areaW / 2 - (view.x - bx0) * k, originY = top + pad + areaH / 2 - (by1 - view.y) * k;
    return { W, H, scale, head, top, foot, bottom, areaW, areaH, fitPixelsPerUnit, pixelsPerUnit: k, originX, originY, bx0, by1 };
  }
  const MAX_ZOOM = 32;
  const BORDER_COLOUR = "#303030"; // --borders lines (tests/test_usmaps.py checks it)
  const home = () => { const [bx0, by0, bx1, by1] = meta.bbox; return { zoom: 1, x: (bx0 + bx1) / 2, y: (by0 + by1) / 2 }; };
  function clampView(v, W, H) { // zoom 1…32; the map never slides off: the view's centre stays where it can fill the area
    const [bx0, by0, bx1, by1] = meta.bbox, zoom = Math.min(MAX_ZOOM, Math.max(1, Number(v.zoom) || 1));
    const Z = placement(W, H, { zoom, x: 0, y: 0 }), hw = Z.areaW / 2 / Z.pixelsPerUnit, hh = Z.areaH / 2 / Z.pixelsPerUnit;
    const fit = (c, lo, hi, half) => (2 * half >= hi - lo || !Number.isFinite(c) ? (lo + hi) / 2 : Math.min(hi - half, Math.max(lo + half, c)));
    return { zoom, x: fit(v.x, bx0, bx1, hw), y: fit(v.y, by0, by1, hh) };
  }

  // The map's part of the canvas, between title and legend: [x, y, width, height]. A zoomed map is cut off there.
  const mapArea = (L) => /** @type {Rect} */ ([0, L.top, L.W, L.H - L.top - L.bottom]);
  function clipToMap(c, L) { c.beginPath(); c.rect(...mapArea(L)); c.clip(); }
  function tracePath(path, p) { // a polyline of canvas pixels [x0, y0, x1, y1, …] added to a Path2D
    if (p.length) path.moveTo(p[0], p[1]);
    for (let i = 2; i < p.length; i += 2) path.lineTo(p[i], p[i + 1]);
  }
  function layout(W, H) {
    st.view = clampView(st.view, W, H);
    const L = /** @type {Layout} */ (placement(W, H, st.view)), { scale, top, bottom, pixelsPerUnit: k, originX: ox, originY: oy, bx0, by1 } = L;
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
      const px = P.rings[r].map(L.project);
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
    for (const a of P.arcs) tracePath(path, L.project(a));
    bctx.strokeStyle = "rgba(70,70,70,0.55)";
    bctx.lineWidth = Math.max(0.5, 0.6 * scale);
    bctx.lineJoin = "round";
    clipToMap(bctx, L);
    if (globe) { const [gx, gy, gr] = globe; path.moveTo(gx + gr, gy); path.arc(gx, gy, gr, 0, 2 * Math.PI); }
    bctx.stroke(path);
    if (P.borderArcs.length) { // --borders: heavier and opaque, over the thin lines
      const heavy = new Path2D();
      for (const a of P.borderArcs) tracePath(heavy, L.project(a));
      Object.assign(bctx, { strokeStyle: BORDER_COLOUR, lineWidth: Math.max(1.5, 2 * scale), lineCap: "round" });
      bctx.stroke(heavy);
    }
    L.shown = new Int16Array(R).fill(-1);
    L.paths = new Array(R); // region outlines for the overlay, built when first hovered
    canvas.width = W; canvas.height = H;
    P.overlay.width = W; P.overlay.height = H;
    st.layout = L;
    P.emit("layout", L); // the map and legend are drawn, the overlay (cleared by resizing it) redrawn
  }

  /** @returns {[number, number, number, DOMRect]} */
  function toCanvas(e) { // the pointer in canvas pixels; s: canvas pixels per CSS pixel; rect: the canvas on screen
    const rect = canvas.getBoundingClientRect(), s = canvas.width / rect.width;
    return [(e.clientX - rect.left) * s, (e.clientY - rect.top) * s, s, rect];
  }

  /** @returns {[number, number]} */
  function fitToWindow() {
    const box = canvas.parentElement.getBoundingClientRect();
    const cssW = fittedW = Math.max(320, Math.floor(box.width));
    // Narrow (phone) screens get a taller canvas: the title and legend take a larger share of it.
    // Within the window, or the notebook's window when the frame around the page follows its height (part 75);
    // the embed view (69-share) fills the frame it is shown in: the stage's height is what the controls leave.
    // Room left for the map: the window less the timeline (about 100 px) and two rows of controls (90 px), so
    // the whole player fits a 1280 × 800 window. (A fixed height: measured, the browsers' form controls a
    // pixel apart would lay the map out differently in each.)
    const room = st.room || window.innerHeight;
    const cssH = st.embed ? Math.max(100, Math.floor(box.height))
      : Math.max(200, Math.min(Math.floor(cssW * (cssW < 700 ? 3 / 4 : 9 / 16)), room - 216));
    // Device pixels for crisp lines and text, within 16 million pixels: Safari refuses larger canvases.
    const dpr = Math.min(window.devicePixelRatio || 1, Math.sqrt(16e6 / (cssW * cssH)));
    st.minU = 0.8 * dpr; // an 18-pixel title and 10-pixel legend labels at least, on any screen
    return [Math.round(cssW * dpr), Math.round(cssH * dpr)];
  }
  function resize(W, H) {
    if (!P.rings) return;
    layout(W, H);
    P.renderFrame(st.frame);
  }
  let resizeTimer = 0;
  function refit() {
    if (st.fixedSize) return;
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => resize(...fitToWindow()), 150);
  }
  window.addEventListener("resize", refit);
  // A scrollbar that comes or goes (the page as loaded taller than the window, a table opened) changes the
  // width the map has without a "resize": fitted again when its width is not the one it was fitted to.
  let fittedW = 0;
  new ResizeObserver(() => {
    const w = Math.max(320, Math.floor(canvas.parentElement.getBoundingClientRect().width));
    if (fittedW && w !== fittedW && st.layout && !st.fixedSize) resize(...fitToWindow()); // (before the next paint)
  }).observe(canvas.parentElement);
  // Moving the window to a screen of another pixel ratio need not fire "resize": watch the ratio itself.
  (function watchRatio() {
    if (!window.matchMedia) return;
    const mq = matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    const changed = () => { if (mq.removeEventListener) mq.removeEventListener("change", changed); else mq.removeListener(changed); refit(); watchRatio(); };
    if (mq.addEventListener) mq.addEventListener("change", changed); else mq.addListener(changed); // Safari < 14: addListener
  })();

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ placement, MAX_ZOOM, home, clampView, mapArea, clipToMap, tracePath,
                                                         toCanvas, fitToWindow, resize }));
})(window.choroplethPlayer);
