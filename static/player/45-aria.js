// @ts-check
// build-site player, part 45: what a screen reader says about the map. The map's accessible name gives
// the title, the metric and the time shown; a polite live region says the new time when a person steps
// to another frame. Both change when a person steps, pauses or picks a metric, never at each frame of
// playback: while it plays the name says so and the live region is silent. A burst of steps (a key held
// down, a drag of the scrubber, a video's capture) costs a timer: what is said follows at most every
// 400 ms, and always ends on the frame shown.
(function (P) {
  "use strict";
  const { meta, st, ui, canvas } = P;
  const said = P.$("said");

  const timeAt = (i) => P.timeString(P.timeOf(i)); // (as the page shows times)
  function name() { // a zoomed timeline: the range too
    const m = meta.metrics[st.metric].label, range = st.range ? `, within ${timeAt(st.range[0])} to ${timeAt(st.range[1])}` : "";
    const what = `${meta.title}: ${m}`;
    canvas.setAttribute("aria-label", (st.playing ? P.t("playing", { what }) : P.t("at", { what, time: P.timeText(st.frame) })) + range);
  }
  // The scrubber says its own time (aria-valuetext) when it has the focus: the live region would repeat it.
  const step = P.throttle(() => {
    name();
    if (!st.playing && document.activeElement !== ui.scrub) P.setText(said, P.timeText(st.frame));
  }, 400);

  let seen = -1; // the frame drawn last: the same frame drawn again (a new layout) says nothing
  P.on("frame", (i) => {
    if (i === seen) return;
    const first = seen < 0;
    seen = i;
    if (first) name(); // the page's first frame: named, not announced
    else if (!st.playing) step.soon();
  });
  P.on("play", step.now); // started: "playing"; stopped: the time it stopped at
  P.on("metric", name);
  P.on("range", () => { if (seen >= 0) name(); });
})(window.choroplethPlayer);
