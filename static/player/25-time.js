// @ts-check
// build-site player, part 25: the time axis, without any element. When each frame starts (timeOf),
// which frame holds a time (frameAt), a time read as the page shows it or as ISO 8601 (parseTime),
// calendar steps in the map's time zone (stepFrames, everyFrames), speeds in data time (speedChoices,
// parseSpeed), which frames a speed faster than the screen draws (playPlan) and a time as text
// (strftime). Pure functions of the meta: the title, the timeline, the keyboard and the video recorder
// (generator/video/capture.py) ask these.
//
// What this part and 26-ticks add to the shared object, for TypeScript's checker (Player includes it):
/**
 * @typedef {object} TimeAxis
 * @property {(i: number) => number} timeOf  epoch ms of frame i's start
 * @property {(t: number | string) => number} frameAt  the frame holding a time (ms or text), -1 outside
 * @property {(text: unknown) => number} parseTime  epoch ms of a time as the page shows it or ISO 8601, NaN
 * @property {(fmt: string, ms: number, local?: boolean) => string} strftime  an instant as text, in the map's zone (local: names in the reader's language)
 * @property {(ms: number) => string} timeString  an instant as the page shows it, in the reader's language
 * @property {(ms: number) => {Y: number, m: number, d: number, H: number, M: number, S: number, Z: string}} timeFields
 * @property {(Y: number, m: number, d?: number, H?: number, M?: number, S?: number) => number} localTime
 * @property {(Y: number, m: number) => number} daysIn
 * @property {(text: unknown) => ({n: number, unit: string} | null)} parseDuration  "1d" -> {n: 1, unit: "d"}
 * @property {(ms: number, n: number, unit: string) => number} addTime
 * @property {() => {key: string, label: string, framesPerSecond: number}[]} speedChoices
 * @property {(s: number | string) => number} parseSpeed  frames per second, NaN
 * @property {(frame: number, unit: string | null | undefined, dir: number) => number} stepFrames
 * @property {(from: number, to: number, every: number | string, fromMs?: number) => number[]} everyFrames
 * @property {(from: number, to: number, framesPerSecond: number, screenHz?: number) => PlayPlan} playPlan
 * @property {(from: number, to: number, widthPx: number, measureText?: (label: string) => number) => Tick[]} ticks
 */
/**
 * @typedef {{stride: number, last: number, frame: (ms: number) => number, duration: number}} PlayPlan
 * @typedef {{frame: number, at: number, x: number, ms: number, label: string, major: boolean,
 *            box: number[] | null}} Tick
 */
(function (P) {
  "use strict";
  const { meta, N } = P;
  const FULL_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                       "october", "november", "december"];
  // Calendar months are counted in UTC (30-draw shows them so); other frames in the map's zone.
  const zone = meta.unit === "month" ? null : meta.tz || null;
  const mod = (a, b) => ((a % b) + b) % b;

  function utc(Y, m, d = 1, H = 0, M = 0, S = 0) { // Date.UTC without its 0–99 → 1900s rule; fields may overflow
    const t = new Date(0);
    t.setUTCFullYear(Y, m - 1, d);
    t.setUTCHours(H, M, S, 0);
    return t.getTime();
  }
  const daysIn = (Y, m) => new Date(utc(Y, m + 1, 0)).getUTCDate();

  // Frame i starts at start + i × step: seconds since 1970, local days since 1970-01-01 (at the zone's
  // midnight, or the day's first instant where the clocks skip it), or calendar months since January 1970.
  const timeOf = meta.unit === "month" ? (i) => utc(1970, 1 + meta.start + i * meta.step)
    : meta.unit === "day" ? (i) => localTime(1970, 1, 1 + meta.start + i * meta.step)
    : (i) => (meta.start + i * meta.step) * 1000;

  // Calendar fields of an instant in the map's zone (Intl knows the zones' rules, offline).
  const zoned = zone && new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric", timeZoneName: "short" });
  function timeFields(ms) {
    if (!zoned) {
      const d = new Date(ms);
      return { Y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate(), H: d.getUTCHours(),
               M: d.getUTCMinutes(), S: d.getUTCSeconds(), Z: "UTC" };
    }
    const f = {};
    for (const p of zoned.formatToParts(ms)) f[p.type] = p.value;
    return { Y: +f.year, m: +f.month, d: +f.day, H: +f.hour % 24, M: +f.minute, S: +f.second, Z: f.timeZoneName };
  }
  function offsetAt(ms) { // the zone's offset from UTC at an instant, ms
    if (!zoned) return 0;
    const f = timeFields(ms);
    return utc(f.Y, f.m, f.d, f.H, f.M, f.S) - (ms - mod(ms, 1000));
  }
  // The instant of a wall-clock time in the map's zone. A time the clocks skip (spring forward) counts as
  // that long after the one before; a time they repeat (fall back), its first occurrence.
  function localTime(Y, m, d = 1, H = 0, M = 0, S = 0) {
    const wall = utc(Y, m, d, H, M, S);
    if (!zoned) return wall;
    const before = offsetAt(wall - 864e5), after = offsetAt(wall + 864e5);
    const early = wall - before, late = wall - after;
    const okEarly = offsetAt(early) === before, okLate = offsetAt(late) === after;
    if (okEarly && okLate) return Math.min(early, late);
    return okLate && !okEarly ? late : early;
  }
  function valid(Y, m, d, H, M, S) {
    return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(Y, m) && H >= 0 && H <= 23 && M >= 0 && M <= 59 &&
           S >= 0 && S <= 59;
  }

  // ISO 8601: 2024, 2024-03, 2024-03-01, 2024-03-01T14:00[:05[.5]][Z|+01:00] (a space for the T too).
  const ISO = /^([+-]?\d{4,6})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$/i;
  function fromIso(s) {
    const g = ISO.exec(s);
    if (!g) return NaN;
    const [Y, m, d, H, M, S] = [g[1], g[2] || 1, g[3] || 1, g[4] || 0, g[5] || 0, g[6] || 0].map(Number);
    if (!valid(Y, m, d, H, M, S)) return NaN;
    if (!g[7]) return localTime(Y, m, d, H, M, S);
    if (g[7].toUpperCase() === "Z") return utc(Y, m, d, H, M, S);
    const o = g[7].replace(":", ""), minutes = Number(o.slice(1, 3)) * 60 + Number(o.slice(3) || 0);
    return utc(Y, m, d, H, M, S) - (o[0] === "-" ? -1 : 1) * minutes * 60000;
  }

  // The page's own time format (meta.timeFormat, strftime) read back: one regular expression, made once.
  const FIELD = { Y: "([+-]?\\d{4,6})", y: "(\\d{2})", m: "(\\d{1,2})", d: "(\\d{1,2})", e: "\\s*(\\d{1,2})",
                  H: "(\\d{1,2})", M: "(\\d{1,2})", S: "(\\d{1,2})", j: "(\\d{1,3})", b: "([a-z]{3,})",
                  B: "([a-z]{3,})", a: "[a-z]+", A: "[a-z]+", Z: "\\S*", "%": "%" };
  const order = [];
  const shown = new RegExp("^" + meta.timeFormat.replace(/%(.)|(\s+)|([^%\s]+)/g, (_, c, space, text) => {
    if (space) return "\\s+";
    if (text) return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    if (!(c in FIELD)) return "%" + c;
    if (FIELD[c].startsWith("(") || c === "e") order.push(c);
    return FIELD[c];
  }) + "$", "i");
  function monthNamed(name) {
    const n = name.toLowerCase(), i = FULL_MONTHS.findIndex((full) => full.startsWith(n));
    return i < 0 ? NaN : i + 1;
  }
  function fromShown(s) {
    const g = shown.exec(s);
    if (!g || !order.some((c) => c === "Y" || c === "y")) return NaN;
    const f = { Y: NaN, m: 1, d: 1, H: 0, M: 0, S: 0 };
    let yday = 0;
    order.forEach((c, k) => {
      const v = g[k + 1];
      if (c === "Y") f.Y = Number(v);
      else if (c === "y") f.Y = Number(v) + (Number(v) < 69 ? 2000 : 1900); // as POSIX strptime
      else if (c === "b" || c === "B") f.m = monthNamed(v);
      else if (c === "j") yday = Number(v);
      else f[c === "e" ? "d" : c] = Number(v);
    });
    if (yday) {
      if (yday > (daysIn(f.Y, 2) === 29 ? 366 : 365)) return NaN;
      const day = new Date(utc(f.Y, 1, yday));
      f.m = day.getUTCMonth() + 1;
      f.d = day.getUTCDate();
    }
    return valid(f.Y, f.m, f.d, f.H, f.M, f.S) ? localTime(f.Y, f.m, f.d, f.H, f.M, f.S) : NaN;
  }
  // Epoch ms of a time as the page shows it (meta.timeFormat, e.g. "2024-03-01 14:00", "Mar 2024", "2007")
  // or in ISO 8601; without an offset, in the map's zone. NaN when it is neither.
  function parseTime(text) {
    if (typeof text === "number") return Number.isFinite(text) ? text : NaN;
    if (typeof text !== "string") return NaN;
    const s = text.trim(), v = fromShown(s);
    return Number.isNaN(v) ? fromIso(s) : v;
  }

  // The frame holding a time (epoch ms, or text as parseTime reads it), -1 outside the data. A binary
  // search over timeOf: right whatever the frames' lengths (months, days of 23 or 25 hours).
  function frameAt(t) {
    const ms = typeof t === "number" ? t : parseTime(t);
    if (!Number.isFinite(ms) || N < 1 || ms < timeOf(0) || ms >= timeOf(N)) return -1;
    let lo = 0, hi = N - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (timeOf(mid) <= ms) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // ---- durations of data time: "1d", "6h", "15min", "1w", "1mo", "1y", "2 years", "1 day/s" ----
  const UNITS = { s: "s", sec: "s", secs: "s", second: "s", seconds: "s", m: "min", min: "min", mins: "min",
                  minute: "min", minutes: "min", h: "h", hr: "h", hrs: "h", hour: "h", hours: "h", d: "d", day: "d",
                  days: "d", w: "w", wk: "w", week: "w", weeks: "w", mo: "mo", mon: "mo", month: "mo", months: "mo",
                  q: "q", quarter: "q", quarters: "q", y: "y", yr: "y", yrs: "y", year: "y", years: "y" };
  const SECONDS = { s: 1, min: 60, h: 3600, d: 86400, w: 604800, mo: 2629746, y: 31556952 }; // mo, y: on average
  function parseDuration(text) { // {n, unit} (unit s, min, h, d, w, mo, y) or null
    const g = /^(\d+(?:\.\d+)?)?\s*([a-z]+)(?:\s*\/\s*s)?$/i.exec(String(text).trim());
    const unit = g && UNITS[g[2].toLowerCase()], n = g ? Number(g[1] || 1) : 0;
    if (!unit || !(n > 0)) return null;
    return unit === "q" ? { n: 3 * n, unit: "mo" } : { n, unit };
  }
  const frameSeconds = meta.step * (meta.unit === "month" ? SECONDS.mo : meta.unit === "day" ? SECONDS.d : 1);
  const framesIn = (dur) => dur.n * SECONDS[dur.unit] / frameSeconds; // frames in a duration (on average)

  // A time moved by n units: hours and shorter in elapsed time, whole days and longer on the zone's calendar
  // (a fraction of a day, month or year: on average, in elapsed time).
  function addTime(ms, n, unit) {
    if (unit === "s" || unit === "min" || unit === "h" || !Number.isInteger(n)) return ms + n * SECONDS[unit] * 1000;
    const f = timeFields(ms);
    if (unit === "d" || unit === "w") return localTime(f.Y, f.m, f.d + n * (unit === "w" ? 7 : 1), f.H, f.M, f.S);
    const m0 = f.m - 1 + (unit === "y" ? 12 * n : n), Y = f.Y + Math.floor(m0 / 12), m = mod(m0, 12) + 1;
    return localTime(Y, m, Math.min(f.d, daysIn(Y, m)), f.H, f.M, f.S);
  }

  // ---- speeds ----
  const LADDER = ["1s", "10s", "1min", "5min", "15min", "1h", "6h", "1d", "1w", "1mo", "1y", "2y", "5y", "10y", "20y",
                  "50y", "100y"];
  const PLAIN = [1, 2, 5, 10, 12, 24, 30, 60]; // frames per second, as the speed chooser offers them
  const NAMES = { s: ["s", "s"], min: ["min", "min"], h: ["h", "h"], d: ["day", "days"], w: ["week", "weeks"],
                  mo: ["month", "months"], y: ["year", "years"] };
  // In another language than English, as Intl writes "1 day per second" there ("1 Tg./s", "1天/秒").
  const INTL_UNITS = { s: "second", min: "minute", h: "hour", d: "day", w: "week", mo: "month", y: "year" };
  const perSecond = new Map();
  function speedLabel(dur) {
    if (P.english) return `${dur.n} ${NAMES[dur.unit][dur.n === 1 ? 0 : 1]}/s`;
    if (!perSecond.has(dur.unit)) {
      perSecond.set(dur.unit, new Intl.NumberFormat(P.locale, { style: "unit", unit: `${INTL_UNITS[dur.unit]}-per-second` }));
    }
    return perSecond.get(dur.unit).format(dur.n);
  }
  // Speeds in data time that suit the frames: from the first at least a frame a second, up to the first
  // that plays all the data in a second; then plain frames per second. Each {key, label, framesPerSecond}.
  function speedChoices() {
    const all = N * frameSeconds, out = [];
    for (const key of LADDER) {
      const dur = parseDuration(key), fps = framesIn(dur);
      if (fps < 1 - 1e-9) continue;
      out.push({ key, label: speedLabel(dur), framesPerSecond: fps });
      if (dur.n * SECONDS[dur.unit] >= all) break;
    }
    return out.concat(PLAIN.map((f) => ({ key: String(f), label: P.t("framesPerSecond", { n: f }), framesPerSecond: f })));
  }
  // Frames per second of a speed: a number or "24" (frames per second, "24/s", "24 fps" too), or data time
  // per second ("1d", "6h/s", "1 week"). NaN when neither.
  function parseSpeed(s) {
    if (typeof s === "number") return s > 0 && Number.isFinite(s) ? s : NaN;
    const plain = /^(\d+(?:\.\d+)?)\s*(?:fps|frames?\s*\/\s*s|\/\s*s)?$/i.exec(String(s).trim());
    if (plain) return Number(plain[1]) > 0 ? Number(plain[1]) : NaN;
    const dur = parseDuration(s);
    return dur ? framesIn(dur) : NaN;
  }

  // ---- moving by calendar units ----
  function unitUp() { // the calendar unit one up from the frames': hours' frames step a day, days a week…
    if (meta.unit === "month") return meta.step < 12 ? "1y" : `${10 * meta.step / 12}y`;
    const s = frameSeconds;
    return s < 60 ? "1min" : s < 3600 ? "1h" : s < 86400 ? "1d" : s < 604800 ? "1w" : s < 28 * 86400 ? "1mo" : "1y";
  }
  // The frame holding frame's start moved by one unit (a duration such as "1d"; default one up from the
  // frames') in direction dir (+1, -1): at least one frame from it, within the data. Shift+arrows.
  function stepFrames(frame, unit, dir) {
    const dur = parseDuration(unit || unitUp()), sign = Math.sign(dir) || 1;
    if (!dur || N < 1) return frame;
    const t = addTime(timeOf(frame), sign * dur.n, dur.unit);
    const j = t < timeOf(0) ? 0 : t >= timeOf(N) ? N - 1 : frameAt(t);
    return j === frame ? Math.max(0, Math.min(N - 1, frame + sign)) : j;
  }
  // The frames a video or a skipping player shows from frame `from` to `to` (both included), one every
  // `every`: a number of frames, or data time ("1d", "1mo") — then the frames holding start + k·every,
  // start being `fromMs` (default: frame from's start). Empty when `every` is neither or under a frame.
  function everyFrames(from, to, every, fromMs = timeOf(from)) {
    const out = [];
    const count = typeof every === "number" ? every : /^\d+$/.test(String(every).trim()) ? Number(every) : NaN;
    if (count >= 1) {
      for (let i = from; i <= to; i += Math.floor(count)) out.push(i);
      return out;
    }
    const dur = parseDuration(every);
    if (!dur || framesIn(dur) < 1 - 1e-9) return out;
    for (let k = 0; ; k++) {
      const j = frameAt(addTime(fromMs, k * dur.n, dur.unit));
      if (j < 0 || j > to) break;
      if (j >= from && j !== out[out.length - 1]) out.push(j);
    }
    return out;
  }
  // Playing at framesPerSecond on a screen of screenHz: when that is more frames than the screen shows,
  // every stride-th frame is drawn (each a real frame, evenly spaced) and data time keeps its speed.
  // frame(ms): the frame to show ms after play began (from, from + stride…, up to `last`, the last drawn);
  // duration: ms until `last` is reached.
  function playPlan(from, to, framesPerSecond, screenHz = 60) {
    const fps = framesPerSecond > 0 ? framesPerSecond : 0;
    const stride = Math.max(1, Math.ceil(fps / (screenHz > 0 ? screenHz : 60) - 1e-9));
    const last = to - mod(to - from, stride);
    const frame = (ms) => Math.min(last, from + stride * Math.floor(Math.max(0, ms) * fps / 1000 / stride + 1e-9));
    return { stride, last, frame, duration: fps ? (last - from) / fps * 1000 : Infinity };
  }

  // ---- an instant as text: the common strftime directives, in the map's zone ----
  const pad2 = (n, w = 2) => String(n).padStart(w, "0");
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  // Full month and weekday names (of a UTC day), formatters made once: toLocaleString builds one per call.
  const monthName = new Intl.DateTimeFormat("en", { month: "long", timeZone: "UTC" });
  const weekdayName = new Intl.DateTimeFormat("en", { weekday: "long", timeZone: "UTC" });
  // The reader's language's names (a language other than English), made once: the page's text uses them,
  // the downloads and parseTime keep English.
  const named = (opts) => new Intl.DateTimeFormat(P.locale, { ...opts, timeZone: "UTC" });
  const localNames = P.english ? null : { b: named({ month: "short" }), B: named({ month: "long" }),
                                          a: named({ weekday: "short" }), A: named({ weekday: "long" }) };
  function strftime(fmt, ms, local = false) {
    const t = timeFields(ms), day = Date.UTC(t.Y, t.m - 1, t.d), names = local && localNames;
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
        case "b": return names ? names.b.format(day) : MONTHS[t.m - 1];
        case "B": return (names ? names.B : monthName).format(day);
        case "a": return names ? names.a.format(day) : DAYS[new Date(day).getUTCDay()];
        case "A": return (names ? names.A : weekdayName).format(day);
        case "j": return pad2((day - Date.UTC(t.Y, 0, 1)) / 864e5 + 1, 3);
        case "Z": return t.Z;
        default: return "%";
      }
    });
  }

  // The frame time as the page shows it: meta.timeFormat (strftime, the names in the reader's language), or
  // without --time-format in a language other than English, as that language writes dates (meta.dateOptions:
  // Intl.DateTimeFormat's, in the map's zone; month names spelled). One formatter, made once.
  const dated = meta.dateOptions && new Intl.DateTimeFormat(P.locale, { ...meta.dateOptions, timeZone: zone || "UTC" });
  const timeString = (ms) => (dated ? dated.format(ms) : strftime(meta.timeFormat, ms, true));

  Object.assign(P, { timeOf, frameAt, parseTime, strftime, timeString, timeFields, localTime, daysIn, parseDuration, addTime,
                     speedChoices, parseSpeed, stepFrames, everyFrames, playPlan });
})(window.choroplethPlayer);
