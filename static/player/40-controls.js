// @ts-check
// build-site player, part 40: the controls. Play and pause on a schedule, the buttons, the scrubber,
// the speed and metric choosers, the keyboard, and the state kept in the URL hash for a shared link.
(function (P) {
  "use strict";
  const { meta, st, ui, N } = P;

  let lastTick = 0, rafId = 0;
  function tick(now) {
    rafId = 0;
    if (!st.playing) return;
    const interval = st.fps ? 1000 / st.fps : 0;
    // Keep to the schedule rather than to the last screen refresh, or 24/s on a 60 Hz screen plays at 20.
    if (st.frame + 1 >= N && !ui.loop.checked) { setPlaying(false); return; }
    if (now - lastTick >= interval - 1 && P.renderFrame(st.frame + 1 >= N ? 0 : st.frame + 1)) {
      lastTick = Math.max(lastTick + interval, now - interval);
    }
    rafId = requestAnimationFrame(tick);
  }
  const PLAY = P.t("play"), PAUSE = P.t("pause");
  function setPlaying(on) {
    if (!st.layout) return;
    st.playing = on;
    ui.play.textContent = on ? "❚❚" : "▶";
    ui.play.setAttribute("aria-label", on ? PAUSE : PLAY);
    if (on && !rafId) { lastTick = performance.now() - 1000; rafId = requestAnimationFrame(tick); }
    P.emit("play", on);
  }
  function setSpeed(fps) {
    st.fps = fps;
    ui.speed.value = String(fps);
    P.emit("speed", fps);
  }
  // The scrubber, the counter and the time under it follow the frame drawn.
  P.on("frame", (i) => {
    ui.scrub.value = String(i);
    ui.counter.textContent = `${i + 1} / ${N}`;
    const when = P.timeText(i); // (the title's, formatted once)
    if (P.setText(ui.time, when)) ui.scrub.setAttribute("aria-valuetext", when); // a screen reader says the time, not the index
  });

  // State in the URL hash (frame, metric, speed, playing, view, pins), so a moment can be shared. Written
  // at most every 250 ms during playback (replaceState: no history entry per frame).
  const hashState = P.throttle(saveState, 250);
  P.on("frame", hashState.soon);
  P.on("play", hashState.now);
  P.on("speed", hashState.soon);
  P.on("layout", hashState.now); // the view is part of a shared link
  P.on("pins", hashState.soon);
  function saveState() {
    const v = st.view, zoomed = v.zoom > 1 && Number.isFinite(v.x) && Number.isFinite(v.y);
    const hash = `#frame=${st.frame}&metric=${st.metric}&speed=${st.fps}&playing=${st.playing ? 1 : 0}` +
      (zoomed ? `&zoom=${+v.zoom.toFixed(3)}&x=${Math.round(v.x)}&y=${Math.round(v.y)}` : "") +
      (st.pins.length ? `&pins=${st.pins.map((p) => p.r).join(",")}` : "") + (st.embed ? "&embed=1" : ""); // (69-share)
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
    if (zoom > 1 && zoom <= P.MAX_ZOOM && q.has("x") && q.has("y") && Number.isFinite(x) && Number.isFinite(y)) st.view = { zoom, x, y };
    P.restorePins(q.get("pins"));
    return { metric, frame, playing: q.get("playing") === "1" };
  }
  function setMetric(m) {
    st.metric = m;
    ui.metric.value = String(m);
    P.emit("metric", m); // the legend, the strip, the sparkline and the pinned regions' chart in this metric
    P.renderFrame(st.frame); // now, or when its chunk arrives
    return P.ensure(st.frame, st.frame).then(() => undefined);
  }
  ui.play.addEventListener("click", () => setPlaying(!st.playing));
  ui.back.addEventListener("click", () => P.renderFrame(st.frame - 1));
  ui.first.addEventListener("click", () => P.renderFrame(0));
  ui.last.addEventListener("click", () => P.renderFrame(N - 1));
  ui.fwd.addEventListener("click", () => P.renderFrame(st.frame + 1));
  // A drag fires input events faster than the screen refreshes: draw the first at once, then at most
  // one per animation frame (the latest value), so the map keeps up with the thumb at any frame count.
  let scrubPending = false, scrubRaf = 0;
  function scrubbed() {
    if (scrubRaf) { scrubPending = true; return; }
    P.renderFrame(Number(ui.scrub.value));
    scrubRaf = requestAnimationFrame(() => {
      scrubRaf = 0;
      if (scrubPending) { scrubPending = false; scrubbed(); }
    });
  }
  ui.scrub.addEventListener("input", scrubbed);
  ui.speed.addEventListener("change", () => setSpeed(Number(ui.speed.value)));
  ui.metric.addEventListener("change", () => setMetric(Number(ui.metric.value)));
  document.addEventListener("keydown", (e) => {
    if (!st.layout || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = /** @type {HTMLElement} */ (e.target);
    // Keys that belong to the focused control stay with it: typing, choosing in a list, and space or
    // Enter on a button or checkbox (which activates that control, not play/pause).
    if (t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || t.isContentEditable ||
        t instanceof HTMLInputElement && !["range", "checkbox"].includes(t.type)) return;
    if ((e.key === " " || e.key === "Enter") && (t instanceof HTMLButtonElement || t instanceof HTMLInputElement && t.type === "checkbox")) return;
    const step = e.shiftKey ? 10 : 1;
    if (e.key === " ") { setPlaying(!st.playing); e.preventDefault(); }
    else if (e.key === "ArrowRight") { P.renderFrame(st.frame + step); e.preventDefault(); }
    else if (e.key === "ArrowLeft") { P.renderFrame(st.frame - step); e.preventDefault(); }
    else if (e.key === "Home") { P.renderFrame(0); e.preventDefault(); }
    else if (e.key === "End") { P.renderFrame(N - 1); e.preventDefault(); }
    else if (e.key === "+" || e.key === "=") P.setView({ zoom: st.view.zoom * 1.5 });
    else if (e.key === "-") P.setView({ zoom: st.view.zoom / 1.5 });
    else if (e.key === "0") P.setView(P.home());
  });

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ setPlaying, setSpeed, restoreState, setMetric }));
})(window.choroplethPlayer);
