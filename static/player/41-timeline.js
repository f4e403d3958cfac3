// @ts-check
// build-site player, part 41: the timeline, its own row under the map. The scrubber; under it the lane:
// date ticks (26-ticks: calendar units that fit, labels that never overlap) over the overview strip
// (65-series draws it); under those the whole data as a bar with the range's window and its two handles;
// the range's first and last times. A range of frames (st.range, "range" event) is what the scrubber,
// ticks and strip cover and where play stays: set by a drag across the lane, the handles, the wheel or a
// pinch on the timeline (about the pointer), the "Show" presets (a day, a week… of the data's step),
// the keyboard ([ ] Esc, 40-controls) and choropleth.setRange. Nothing here runs per frame: the ticks
// are drawn when the range or the width changes.
(function (P) {
  "use strict";
  const { st, ui, N } = P;
  const lane = P.$("lane"), tickCanvas = P.$("ticks"), selection = P.$("selection"), overview = P.$("overview");
  const win = P.$("window"), startHandle = P.$("range-start"), endHandle = P.$("range-end"), span = P.$("span");
  const MIN_SPAN = Math.min(N - 1, 4); // frames: the narrowest range a zoom reaches
  const clampFrame = (i) => Math.max(0, Math.min(N - 1, Math.round(i)));
  const timeAt = (i) => P.timeString(P.timeOf(i)); // (as the page shows times) // (not timeText: that keeps the frame's)

  /** @returns {[number, number]} */
  function rangeOf() { return st.range ? [st.range[0], st.range[1]] : [0, N - 1]; }
  let preset = ""; // the "Show" preset that made the range ("": another way)
  // The range from..to (frames, both included; null or all frames: the whole range). The frame shown
  // moves into it.
  function setRange(from, to = N - 1) { applyRange(from, to, ""); }
  function applyRange(from, to, key) {
    preset = key;
    let next = null;
    if (from !== null && N > 1) {
      let lo = clampFrame(Math.min(from, to)), hi = clampFrame(Math.max(from, to));
      if (hi - lo < 1) { if (hi < N - 1) hi = lo + 1; else lo = hi - 1; }
      if (lo > 0 || hi < N - 1) next = /** @type {[number, number]} */ ([lo, hi]);
    }
    const was = st.range;
    if (next === was || next && was && next[0] === was[0] && next[1] === was[1]) { place(); return; }
    st.range = next;
    const [lo, hi] = rangeOf();
    ui.scrub.min = String(lo);
    ui.scrub.max = String(hi);
    P.emit("range", [lo, hi]); // the ticks, strip, hash and the map's name follow
    if (st.frame < lo || st.frame > hi) P.renderFrame(st.frame < lo ? lo : hi);
    else ui.scrub.value = String(st.frame); // (moving min and max moved the thumb)
  }

  // ---- the ticks: drawn when the range or the width changes ----
  const tctx = tickCanvas.getContext("2d"), FONT = '11px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  P.shownTicks = [];
  function drawTicks() {
    const dpr = window.devicePixelRatio || 1, w = lane.clientWidth, h = tickCanvas.clientHeight;
    if (!(w > 0)) return;
    tickCanvas.width = Math.round(w * dpr);
    tickCanvas.height = Math.round(h * dpr);
    tctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    tctx.font = FONT;
    const [lo, hi] = rangeOf();
    const list = hi > lo ? P.ticks(lo, hi, w, (s) => tctx.measureText(s).width) : [];
    tctx.clearRect(0, 0, w, h);
    tctx.fillStyle = "#57606a";
    tctx.textBaseline = "top";
    for (const t of list) {
      tctx.fillRect(Math.round(t.x) - (t.x >= w - 0.5 ? 1 : 0), 0, 1, t.major ? 8 : 5);
      if (t.box) tctx.fillText(t.label, t.box[0], 4);
    }
    P.shownTicks = list;
  }

  // ---- the whole data's bar: the range's window and its handles ----
  const ox = (i) => (N > 1 ? i / (N - 1) : 0) * 100; // % of the bar
  function place() {
    const [lo, hi] = rangeOf();
    win.style.left = `${ox(lo)}%`;
    win.style.width = `${ox(hi) - ox(lo)}%`;
    startHandle.style.left = `${ox(lo)}%`;
    endHandle.style.left = `${ox(hi)}%`;
    for (const [el, v] of [[startHandle, lo], [endHandle, hi]]) {
      el.setAttribute("aria-valuemin", "0");
      el.setAttribute("aria-valuemax", String(N - 1));
      el.setAttribute("aria-valuenow", String(v));
      el.setAttribute("aria-valuetext", timeAt(v));
    }
    P.setText(ui.timeFirst, timeAt(lo));
    P.setText(ui.timeLast, timeAt(hi));
    span.value = st.range ? preset || "range" : "all";
  }
  P.on("range", () => { drawTicks(); place(); });
  new ResizeObserver(drawTicks).observe(lane);

  // ---- zoom about a frame, pan ----
  function zoomAbout(anchor, factor) { // the range scaled by factor, the frame position `anchor` staying put
    const [lo, hi] = rangeOf(), width = Math.max(MIN_SPAN, Math.min(N - 1, (hi - lo) * factor));
    if (width >= N - 1) { setRange(null); return; }
    let a = anchor - (anchor - lo) * width / (hi - lo);
    a = Math.max(0, Math.min(N - 1 - width, a));
    setRange(Math.round(a), Math.round(a + width));
  }
  function panBy(frames) {
    const [lo, hi] = rangeOf(), d = Math.max(-lo, Math.min(N - 1 - hi, Math.round(frames)));
    if (d && st.range) setRange(lo + d, hi + d);
  }
  const laneX = (clientX) => clientX - lane.getBoundingClientRect().left;
  function frameAtLane(x) { // CSS px from the lane's left -> frame position (fractional)
    const [lo, hi] = rangeOf(), w = lane.clientWidth || 1;
    return lo + Math.max(0, Math.min(1, x / w)) * (hi - lo);
  }
  P.$("timeline").addEventListener("wheel", (e) => {
    const dx = e.deltaX, dy = e.deltaY, unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? 800 : 1;
    if (Math.abs(dx) > Math.abs(dy)) { // sideways: pan
      if (!st.range) return;
      e.preventDefault();
      const [lo, hi] = rangeOf();
      panBy(dx * unit / (lane.clientWidth || 1) * (hi - lo));
      return;
    }
    if (dy > 0 && !st.range || !dy) return; // zooming out of the whole range: the page scrolls
    e.preventDefault();
    zoomAbout(frameAtLane(laneX(e.clientX)), Math.exp(Math.max(-300, Math.min(300, dy * unit)) * 0.004));
  }, { passive: false });

  // ---- the lane: a drag across it selects a range; a click goes to that frame; two fingers pinch ----
  const down = new Map(); // pointerId -> clientX
  let dragFrom = -1, dragging = false, pinch = null;
  lane.addEventListener("pointerdown", (e) => {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    down.set(e.pointerId, e.clientX);
    if (lane.setPointerCapture) lane.setPointerCapture(e.pointerId);
    if (down.size === 1) { dragFrom = laneX(e.clientX); dragging = false; pinch = null; return; }
    // A second finger: a pinch, about the two fingers' middle
    dragging = false;
    selection.hidden = true;
    const [a, b] = [...down.values()], [lo, hi] = rangeOf();
    pinch = { d: Math.abs(a - b), mid: frameAtLane(laneX((a + b) / 2)), lo, hi };
    e.preventDefault();
  });
  lane.addEventListener("pointermove", (e) => {
    if (!down.has(e.pointerId)) return;
    down.set(e.pointerId, e.clientX);
    if (pinch && down.size === 2) {
      const [a, b] = [...down.values()], d = Math.abs(a - b);
      if (d < 4 || pinch.d < 4) return;
      const { lo, hi, mid } = pinch, width = Math.max(MIN_SPAN, Math.min(N - 1, (hi - lo) * pinch.d / d));
      if (width >= N - 1) { setRange(null); return; }
      // the frame under the fingers' first middle stays under their middle now
      const at = Math.max(0, Math.min(1, laneX((a + b) / 2) / (lane.clientWidth || 1)));
      const from = Math.max(0, Math.min(N - 1 - width, mid - at * width));
        setRange(Math.round(from), Math.round(from + width));
      return;
    }
    const x = laneX(e.clientX);
    if (!dragging && Math.abs(x - dragFrom) < 4) return;
    dragging = true;
    const w = lane.clientWidth, a = Math.max(0, Math.min(w, Math.min(x, dragFrom))), b = Math.max(0, Math.min(w, Math.max(x, dragFrom)));
    selection.style.left = `${a}px`;
    selection.style.width = `${b - a}px`;
    selection.hidden = false;
  });
  function lift(e, cancelled) {
    if (!down.delete(e.pointerId)) return;
    if (pinch) { if (!down.size) pinch = null; return; }
    selection.hidden = true;
    const x = laneX(e.clientX);
    if (cancelled) { dragging = false; return; }
    if (dragging) {
      dragging = false;
        const a = frameAtLane(Math.min(x, dragFrom)), b = frameAtLane(Math.max(x, dragFrom));
      setRange(Math.round(a), Math.round(b));
    } else {
      P.renderFrame(Math.round(frameAtLane(x))); // a click goes there
    }
  }
  lane.addEventListener("pointerup", (e) => lift(e, false));
  lane.addEventListener("pointercancel", (e) => lift(e, true));

  // ---- the handles and the window on the whole data's bar ----
  const barFrame = (clientX) => { const r = overview.getBoundingClientRect();
    return (N - 1) * (clientX - r.left) / (r.width || 1); }; // (past the ends too: the handles sit beside them)
  function moveEnd(which, f) { // a handle to frame f, the range at least one frame wide
    const [lo, hi] = rangeOf();
    if (which === startHandle) setRange(Math.min(clampFrame(f), hi - 1), hi);
    else setRange(lo, Math.max(clampFrame(f), lo + 1));
  }
  let held = null, grab = 0;
  for (const el of [startHandle, endHandle, win]) {
    el.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      held = el;
      grab = barFrame(e.clientX) - rangeOf()[el === endHandle ? 1 : 0]; // where on it the pointer holds it
      el.setPointerCapture(e.pointerId);
      e.preventDefault();
      e.stopPropagation();
    });
    el.addEventListener("pointermove", (e) => {
      if (held !== el) return;
      const f = barFrame(e.clientX) - grab;
      if (el === win) panBy(f - rangeOf()[0]); else moveEnd(el, f);
    });
    el.addEventListener("pointerup", () => { held = null; });
    el.addEventListener("pointercancel", () => { held = null; });
  }
  for (const el of [startHandle, endHandle]) {
    el.addEventListener("keydown", (e) => {
      const [lo, hi] = rangeOf(), v = el === startHandle ? lo : hi, tenth = Math.max(1, Math.round((N - 1) / 10));
      const to = e.key === "ArrowLeft" || e.key === "ArrowDown" ? (e.shiftKey ? P.stepFrames(v, null, -1) : v - 1)
        : e.key === "ArrowRight" || e.key === "ArrowUp" ? (e.shiftKey ? P.stepFrames(v, null, 1) : v + 1)
        : e.key === "PageDown" ? v - tenth : e.key === "PageUp" ? v + tenth
        : e.key === "Home" ? 0 : e.key === "End" ? N - 1 : NaN;
      if (Number.isNaN(to)) return;
      moveEnd(el, to);
      e.preventDefault();
      e.stopPropagation(); // the handle's, not the player's
    });
  }

  // ---- "Show": the whole range, or a span of the data's step about the frame shown ----
  const SPANS = [["1h", "spanHour"], ["1d", "spanDay"], ["1w", "spanWeek"], ["1mo", "spanMonth"], ["1y", "spanYear"],
                 ["10y", "spanDecade"], ["100y", "spanCentury"]]; // (the keys of their words)
  span.add(new Option(P.t("spanAll"), "all"));
  for (const [key, label] of SPANS) {
    const frames = P.parseSpeed(key); // (frames in that much data time)
    if (frames >= 8 && frames < N - 1) span.add(new Option(P.t(label), key));
  }
  const custom = new Option(P.t("spanRange"), "range");
  custom.disabled = true;
  span.add(custom);
  function showSpan(key) { // the calendar unit holding the frame shown: its day, week, month…
    if (key === "all") { setRange(null); return; }
    const dur = P.parseDuration(key);
    if (!dur) return;
    const f = P.timeFields(P.timeOf(st.frame)), k = dur.n;
    const startMs = dur.unit === "h" ? P.localTime(f.Y, f.m, f.d, f.H)
      : dur.unit === "d" ? P.localTime(f.Y, f.m, f.d)
      : dur.unit === "w" ? P.localTime(f.Y, f.m, f.d - (new Date(Date.UTC(f.Y, f.m - 1, f.d)).getUTCDay() + 6) % 7) // from Monday
      : dur.unit === "mo" ? P.localTime(f.Y, f.m, 1) : P.localTime(Math.floor(f.Y / k) * k, 1, 1);
    const from = Math.max(0, P.frameAt(startMs)), endAt = P.frameAt(P.addTime(startMs, dur.unit === "y" ? k : 1, dur.unit));
    const to = endAt < 0 ? N - 1 : endAt - 1;
    applyRange(from, Math.max(to, from + 1), key);
  }
  span.addEventListener("change", () => showSpan(span.value));

  place();
  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ rangeOf, setRange }));
})(window.choroplethPlayer);
