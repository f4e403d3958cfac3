// @ts-check
// build-site player, part 60: zoom and pan. Wheel, pinch and drag; double-click or "Reset view" goes
// back. The view is part of the layout, so a frame costs the same at any zoom. During a gesture the map
// drawn last is shown scaled and moved (one drawImage per screen refresh); once it settles the layout
// is redone at the new view.
(function (P) {
  "use strict";
  const { st, canvas, ctx } = P;

  const gesture = { view: null, snap: null, pointers: new Map(), timer: 0, raf: 0 };
  const inMap = (x, y) => { const L = st.layout; return !!L && x >= 0 && x < L.W && y >= L.top && y < L.H - L.bottom; };
  function beginGesture() {
    if (st.gesture) return;
    const L = st.layout, area = P.mapArea(L);
    P.unhover();
    st.gesture = true;
    gesture.view = { ...st.view };
    gesture.snap = gesture.snap || document.createElement("canvas");
    gesture.snap.width = L.W; gesture.snap.height = L.H; // (also clears it)
    gesture.snap.getContext("2d").drawImage(canvas, ...area, ...area); // the map area only
  }
  function zoomAt(f, x, y) { // zoom the pending view by f about canvas pixel (x, y)
    const L = st.layout, v = gesture.view, Z = P.placement(L.W, L.H, v);
    const px = L.bx0 + (x - Z.originX) / Z.pixelsPerUnit, py = L.by1 - (y - Z.originY) / Z.pixelsPerUnit; // the point under (x, y), kept there
    const g = Math.min(P.MAX_ZOOM, Math.max(1, v.zoom * f)) / v.zoom;
    gesture.view = P.clampView({ zoom: v.zoom * g, x: px + (v.x - px) / g, y: py + (v.y - py) / g }, L.W, L.H);
  }
  function panBy(dx, dy) {
    const L = st.layout, v = gesture.view, k = P.placement(L.W, L.H, v).pixelsPerUnit;
    gesture.view = P.clampView({ zoom: v.zoom, x: v.x - dx / k, y: v.y + dy / k }, L.W, L.H);
  }
  function preview() {
    gesture.raf = 0;
    if (!st.gesture) return;
    const L = st.layout, Z = P.placement(L.W, L.H, gesture.view), s = Z.pixelsPerUnit / L.pixelsPerUnit;
    ctx.save();
    P.clipToMap(ctx, L);
    ctx.fillStyle = L.bg;
    ctx.fillRect(...P.mapArea(L));
    ctx.setTransform(s, 0, 0, s, Z.originX - L.originX * s, Z.originY - L.originY * s);
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
      P.paintMap(...P.mapArea(L));
    }, delay);
  }
  function setView(v) { // {zoom, x, y}: zoom 1 is the whole map; x, y the projected centre
    st.view = { ...st.view, ...v };
    if (st.layout) P.resize(st.layout.W, st.layout.H); // (the URL hash follows the layout)
  }
  canvas.addEventListener("wheel", (e) => {
    const [x, y] = P.toCanvas(e);
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
    const [x, y] = P.toCanvas(e);
    if (!inMap(x, y)) return;
    gesture.pointers.set(e.pointerId, [x, y]);
    if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId); // a drag may leave the canvas
  });
  canvas.addEventListener("pointermove", (e) => {
    const pts = gesture.pointers, p = pts.get(e.pointerId);
    if (!p) return;
    const [x, y, s] = P.toCanvas(e);
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
  canvas.addEventListener("dblclick", () => setView(P.home()));
  P.$("reset-view").addEventListener("click", () => setView(P.home()));

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ setView }));
})(window.choroplethPlayer);
