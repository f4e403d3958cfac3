// @ts-check
// build-site player, part 40: the controls. Play and pause on a schedule, the buttons, the scrubber,
// the speed and metric choosers, the keyboard, and the state kept in the URL hash for a shared link.
(function (P) {
  "use strict";
  const { meta, st, ui, N } = P;

  // Playing: a schedule from the frame play (re)started at (25-time's playPlan). Up to the screen's rate
  // every frame is drawn on time; faster, every stride-th frame (each a real frame, evenly spaced) and data
  // time keeps its speed. Within the range (41-timeline); at its end, back to its start when Loop is on.
  // "As fast as it draws" (fps 0): the next frame at each screen refresh.
  let rafId = 0, t0 = 0, asked = -1, aheadChunk = -1;
  let plan = /** @type {PlayPlan | null} */ (null);
  function begin(from, now) {
    const hi = P.rangeOf()[1];
    plan = st.fps ? P.playPlan(from, Math.max(from, hi), st.fps) : null;
    t0 = now;
    asked = from;
    aheadChunk = -1;
  }
  // Data ahead: the chunks of the frames to be drawn in the next two seconds (a stride wider than a chunk
  // skips the chunks no drawn frame is in), each asked for once.
  function ahead(i) {
    if (!plan) return;
    const CF = P.CF, until = Math.min(plan.last, i + Math.ceil(2 * st.fps)), s = plan.stride;
    if (Math.floor(until / CF) <= aheadChunk) return;
    for (let j = i + Math.ceil(Math.max(0, (aheadChunk + 1) * CF - i) / s) * s; j <= until; j += s) {
      const c = Math.floor(j / CF);
      if (c > aheadChunk) { aheadChunk = c; P.ensure(j, j).catch(() => {}); }
    }
  }
  P.on("range", () => { asked = -2; }); // playing: the schedule starts again within the new range
  function tick(now) {
    rafId = 0;
    if (!st.playing) return;
    const [lo, hi] = P.rangeOf();
    // Moved by a person (or the range) since: the schedule starts again from the frame shown.
    if (asked !== st.frame && asked !== st.want || asked < lo || asked > hi) begin(Math.max(lo, Math.min(hi, st.frame)), now);
    let next;
    if (!plan) next = asked + 1;
    else {
      const end = plan.duration + plan.stride * 1000 / st.fps; // when the frame after the last is due
      // Past the end: the last frame is shown before the loop (a slow screen may have passed it by).
      next = now - t0 < end ? plan.frame(now - t0) : asked === plan.last ? hi + 1 : plan.last;
    }
    if (next > hi) {
      if (!ui.loop.checked) { setPlaying(false); return; }
      begin(lo, now);
      next = lo;
    }
    if (next !== asked || st.frame !== next && st.want !== next) {
      asked = next;
      P.renderFrame(next);
      ahead(next);
    }
    rafId = requestAnimationFrame(tick);
  }
  const PLAY = P.t("play"), PAUSE = P.t("pause");
  function setPlaying(on) {
    if (!st.layout) return;
    st.playing = on;
    ui.play.textContent = on ? "❚❚" : "▶";
    ui.play.setAttribute("aria-label", on ? PAUSE : PLAY);
    if (on && !rafId) {
      const [lo, hi] = P.rangeOf();
      // From the range's start when at (or past) its end, or outside it.
      const from = st.frame >= hi || st.frame < lo ? lo : st.frame;
      if (from !== st.frame) P.renderFrame(from);
      begin(from, performance.now());
      rafId = requestAnimationFrame(tick);
    }
    P.emit("play", on);
  }
  // The speed chooser: speeds in data time that suit the data (1 h/s, 1 day/s… from 25-time), then plain
  // frames per second, then as fast as it draws.
  for (const c of P.speedChoices()) ui.speed.add(new Option(c.label, c.key));
  ui.speed.add(new Option(P.t("fastest"), "0"));
  ui.speed.value = st.speed;
  // s: frames per second (0: as fast as it draws) or data time per second ("1d", "6h/s"); false when neither.
  function setSpeed(s) {
    const key = typeof s === "number" ? String(s) : String(s).trim();
    const fps = key === "0" ? 0 : P.parseSpeed(s);
    if (Number.isNaN(fps)) return false;
    if (![...ui.speed.options].some((o) => o.value === key)) { // a speed of its own (from the API): listed too
      ui.speed.add(new Option(P.t(typeof s === "number" || /^[\d.]+$/.test(key) ? "framesPerSecond" : "perSecond", { n: key }), key),
                   ui.speed.options.length - 1);
    }
    st.fps = fps;
    st.speed = key;
    ui.speed.value = key;
    if (st.playing) asked = -2; // the schedule starts again at the new speed
    P.emit("speed", fps);
    return true;
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
  P.on("range", hashState.soon);
  function saveState() {
    const v = st.view, zoomed = v.zoom > 1 && Number.isFinite(v.x) && Number.isFinite(v.y);
    const hash = `#frame=${st.frame}&metric=${st.metric}&speed=${encodeURIComponent(st.speed)}&playing=${st.playing ? 1 : 0}` +
      (st.range ? `&from=${st.range[0]}&to=${st.range[1]}` : "") +
      (zoomed ? `&zoom=${+v.zoom.toFixed(3)}&x=${Math.round(v.x)}&y=${Math.round(v.y)}` : "") +
      (st.pins.length ? `&pins=${st.pins.map((p) => p.r).join(",")}` : "") + (st.embed ? "&embed=1" : ""); // (69-share)
    try { // Safari throws when a page replaces its URL too often; losing one save is harmless
      if (location.hash !== hash) history.replaceState(null, "", hash);
    } catch (err) { /* the next save tries again */ }
  }
  function restoreState() {
    const q = new URLSearchParams(location.hash.slice(1));
    const num = (k, lo, hi) => { const v = Number(q.get(k)); return q.has(k) && Number.isInteger(v) && v >= lo && v <= hi ? v : null; };
    const metric = num("metric", 0, meta.metrics.length - 1), frame = num("frame", 0, N - 1);
    if (q.has("speed")) setSpeed(String(q.get("speed")));
    const from = num("from", 0, N - 1), to = num("to", 0, N - 1);
    if (from !== null && to !== null && from < to) P.setRange(from, to);
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
  ui.first.addEventListener("click", () => P.renderFrame(P.rangeOf()[0])); // the range's ends
  ui.last.addEventListener("click", () => P.renderFrame(P.rangeOf()[1]));
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
  ui.speed.addEventListener("change", () => setSpeed(ui.speed.value));
  ui.metric.addEventListener("change", () => setMetric(Number(ui.metric.value)));
  // The keyboard (WCAG 2.1.4): the player's shortcuts act only while the focus is in the player (the map,
  // the timeline, the controls, or nowhere in particular), never while typing in a field, choosing in a
  // list or moving in the table. 42-goto lists them (? or the Keys button).
  const player = [".stage", ".timeline", ".controls", ".keys-help"], keysHelp = P.$("keys-help");
  function inPlayer(t) {
    if (!(t instanceof HTMLElement) || t === document.body || t === document.documentElement) return true;
    if (t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || t.isContentEditable ||
        t instanceof HTMLInputElement && !["range", "checkbox"].includes(t.type)) return false;
    return player.some((sel) => t.closest(sel));
  }
  document.addEventListener("keydown", (e) => {
    if (!st.layout || e.altKey || e.ctrlKey || e.metaKey) return;
    const t = /** @type {HTMLElement} */ (e.target);
    if (!inPlayer(t)) return;
    // Space or Enter on a button or checkbox activates that control, not play/pause.
    if ((e.key === " " || e.key === "Enter") && (t instanceof HTMLButtonElement || t instanceof HTMLInputElement && t.type === "checkbox")) return;
    const [lo, hi] = P.rangeOf(), tenth = Math.max(1, Math.round((hi - lo) / 10));
    const go = (i) => P.renderFrame(Math.max(lo, Math.min(hi, i)));
    let done = true;
    if (e.key === " ") setPlaying(!st.playing);
    else if (e.key === "ArrowRight") go(e.shiftKey ? P.stepFrames(st.frame, null, 1) : st.frame + 1);
    else if (e.key === "ArrowLeft") go(e.shiftKey ? P.stepFrames(st.frame, null, -1) : st.frame - 1);
    else if (e.key === "PageDown") go(st.frame + tenth);
    else if (e.key === "PageUp") go(st.frame - tenth);
    else if (e.key === "Home") go(lo);
    else if (e.key === "End") go(hi);
    else if (e.key === "[") P.setRange(st.frame, Math.max(hi, st.frame + 1));
    else if (e.key === "]") P.setRange(Math.min(lo, st.frame - 1), st.frame);
    else if (e.key === "Escape" && st.range) P.setRange(null);
    else if (e.key === "Escape" && !keysHelp.hidden) P.showKeys(false);
    else if (e.key === "?") P.showKeys();
    else if (e.key === "+" || e.key === "=") P.setView({ zoom: st.view.zoom * 1.5 });
    else if (e.key === "-") P.setView({ zoom: st.view.zoom / 1.5 });
    else if (e.key === "0") P.setView(P.home());
    else done = false;
    if (done) e.preventDefault();
  });

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ setPlaying, setSpeed, restoreState, setMetric }));
})(window.choroplethPlayer);
