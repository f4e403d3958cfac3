// @ts-check
// build-site player, part 26: a timeline's ticks, without any element. At calendar units that suit the
// span shown (years, months, days, hours, minutes, seconds, in 1/2/5/10… steps) in the map's time zone,
// the finest whose labels, measured with the caller's function, do not overlap; labelled as video
// editors' timelines are: a coarser unit's label on its boundaries ("2024" on a year, then "Feb", "Mar").
(function (P) {
  "use strict";
  const { meta, N, timeOf, timeFields, localTime, daysIn } = P;
  // Month names in the reader's language (English: as always), made once; a day's label "Mar 5", "5. März".
  const inUTC = (opts) => new Intl.DateTimeFormat(P.locale, { ...opts, timeZone: "UTC" });
  const monthDay = P.english ? null : inUTC({ month: "short", day: "numeric" });
  const month = P.english ? null : inUTC({ month: "short" });
  const MONTHS = month ? Array.from({ length: 12 }, (_, m) => month.format(Date.UTC(2000, m, 1)))
    : ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  /** @type {[string, number][]} */
  const LEVELS = [["s", 1], ["s", 2], ["s", 5], ["s", 10], ["s", 15], ["s", 30], ["min", 1], ["min", 2], ["min", 5],
                  ["min", 10], ["min", 15], ["min", 30], ["h", 1], ["h", 2], ["h", 3], ["h", 6], ["h", 12], ["d", 1],
                  ["d", 2], ["d", 5], ["d", 10], ["mo", 1], ["mo", 2], ["mo", 3], ["mo", 6], ["y", 1], ["y", 2],
                  ["y", 5], ["y", 10], ["y", 20], ["y", 50], ["y", 100], ["y", 200], ["y", 500], ["y", 1000]];
  const SECONDS = { s: 1, min: 60, h: 3600, d: 86400, mo: 2629746, y: 31556952 }; // mo, y: on average
  const RANK = { s: 0, min: 1, h: 2, d: 3, mo: 4, y: 5 };
  const SAMPLE = { s: "00:00:00", min: "00:00", h: "00:00", d: "May 30", mo: "May", y: "2000" };
  const PAD = 4, GAP = 8; // a label starts PAD px right of its tick, and GAP px after the label before it
  const frameSeconds = meta.step * (meta.unit === "month" ? SECONDS.mo : meta.unit === "day" ? SECONDS.d : 1);
  const pad2 = (n) => String(n).padStart(2, "0");

  function msOf(at) { // a frame position (fractional: into the frame) -> epoch ms
    const i = Math.max(0, Math.min(N - 1, Math.floor(at)));
    return timeOf(i) + (at - i) * (timeOf(i + 1) - timeOf(i));
  }
  function positionOf(ms) { // epoch ms -> frame position, -1 outside the data
    const i = P.frameAt(ms);
    return i < 0 ? -1 : i + (ms - timeOf(i)) / (timeOf(i + 1) - timeOf(i));
  }
  // The label of a tick at fields f on the unit's grid, and whether it is a coarser unit's boundary.
  function labelOf(f, unit, k) {
    const boundary = f.S ? 0 : f.M ? 1 : f.H ? 2 : f.d !== 1 ? 3 : f.m !== 1 ? 4 : 5; // the coarsest unit it starts
    const r = Math.max(RANK[unit], boundary);
    const day = () => (monthDay ? monthDay.format(Date.UTC(2000, f.m - 1, f.d)) : `${MONTHS[f.m - 1]} ${f.d}`);
    const label = r >= 5 ? String(f.Y) : r === 4 ? MONTHS[f.m - 1] : r === 3 ? day()
      : `${pad2(f.H)}:${pad2(f.M)}${r === 0 ? `:${pad2(f.S)}` : ""}`;
    const decade = 10 ** (Math.floor(Math.log10(k)) + 1); // years: 1, 2, 5 → every 10th; 10, 20, 50 → 100th
    return { label, major: unit === "y" ? f.Y % decade === 0 : r > RANK[unit] };
  }
  // Tick times of `k` units from t0 to t1 (ms, both included), on the zone's calendar.
  function times(unit, k, t0, t1, cap) {
    const out = [], f = timeFields(t0);
    const keep = (t) => { if (t >= t0) out.push(t); return t <= t1 && out.length <= cap; };
    if (unit === "y") {
      for (let Y = Math.floor(f.Y / k) * k; keep(localTime(Y, 1, 1)); Y += k);
    } else if (unit === "mo") {
      for (let Y = f.Y, m = f.m - (f.m - 1) % k; keep(localTime(Y, m, 1)); m += k) if (m + k > 12) { m -= 12; Y++; }
    } else if (unit === "d") { // days 1, 1 + k…, each at least k days before the next month
      for (let Y = f.Y, m = f.m, d = 1; ; d += k) {
        if (daysIn(Y, m) - (d - 1) < k) { d = 1 - k; if (++m > 12) { m = 1; Y++; } continue; }
        if (!keep(localTime(Y, m, d))) break;
      }
    } else { // hours and shorter: steps of elapsed time, realigned to the clock after it changes
      const size = SECONDS[unit] * 1000, field = (g) => (unit === "h" ? g.H : unit === "min" ? g.M : g.S);
      const onGrid = (g) => field(g) % k === 0 && (unit === "h" ? g.M + g.S : unit === "min" ? g.S : 0) === 0;
      const align = (t) => { // the first time on the grid at or after t (a time the clock skips: after it)
        const g = timeFields(t);
        for (let v = Math.floor(field(g) / k) * k; ; v += k) {
          const c = unit === "h" ? localTime(g.Y, g.m, g.d, v) : unit === "min" ? localTime(g.Y, g.m, g.d, g.H, v)
            : localTime(g.Y, g.m, g.d, g.H, g.M, v);
          if (c >= t && onGrid(timeFields(c))) return c;
        }
      };
      for (let t = align(t0); t <= t1 && out.length <= cap;) {
        out.push(t);
        const next = t + k * size; // the next on the grid, unless the clock changed: then found from this one
        t = onGrid(timeFields(next)) ? next : align(t + 1);
      }
    }
    return out.filter((t) => t <= t1);
  }
  function build(unit, k, from, to, width, measure) {
    const out = [], scale = width / Math.max(to - from, 1e-9);
    const t0 = msOf(Math.max(0, from)), t1 = msOf(Math.min(N, to));
    for (const ms of times(unit, k, t0, t1, width)) {
      const at = positionOf(ms), x = (at - from) * scale;
      if (at < 0 || x < 0 || x > width) continue;
      const { label, major } = labelOf(timeFields(ms), unit, k), right = x + PAD + measure(label);
      out.push({ frame: Math.floor(at), at, x, ms, label, major, box: [x + PAD, right] });
    }
    for (const t of out) if (t.box[1] > width) { t.label = ""; t.box = null; } // would run off the end
    return out;
  }
  const fits = (list) => list.every((t, i) => !t.box || i === 0 || !list[i - 1].box ||
                                              t.box[0] >= list[i - 1].box[1] + GAP);

  // Ticks for frames `from`…`to` (positions, may be fractional) drawn across widthPx: each {frame (the one
  // holding it), at (its position in frames), x (px: (at - from) / (to - from) × widthPx), ms, label,
  // major, box: [left, right] of its label, px (null: no label, it would pass the right end)}.
  // measureText(label) -> width in px (e.g. a canvas context's measureText(s).width).
  function ticks(from, to, widthPx, measureText) {
    const measure = measureText || ((s) => 7 * s.length);
    const span = (msOf(Math.min(N, to)) - msOf(Math.max(0, from))) / 1000; // seconds shown
    if (N < 1 || !(widthPx > 0) || !(span > 0)) return [];
    let last = [];
    for (const [unit, k] of LEVELS) {
      const step = k * SECONDS[unit];
      if (step < frameSeconds * 0.999) continue; // finer than the frames
      if (step / span * widthPx < measure(SAMPLE[unit]) + PAD + GAP) continue; // too dense to fit: not built
      last = build(unit, k, from, to, widthPx, measure);
      if (fits(last)) return last;
    }
    // Nothing fits (a very narrow width): the coarsest, its labels thinned to those that fit.
    let right = -Infinity;
    for (const t of last) {
      if (t.box && t.box[0] < right + GAP) { t.label = ""; t.box = null; }
      if (t.box) right = t.box[1];
    }
    return last;
  }

  Object.assign(P, { ticks });
})(window.choroplethPlayer);
