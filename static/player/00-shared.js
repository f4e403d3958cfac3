// @ts-check
// build-site player, part 00: the one object the parts share, window.choroplethPlayer (P below).
// It holds the map's meta, the page's elements, the state `st` and what each part adds to it.
//
// The player plays an animated choropleth on one canvas; no dependencies, no network. Its parts,
// static/player/NN-name.js, are classic scripts (Chromium refuses module scripts on file:// pages),
// joined in order by the build into the one player.js the site ships. Each wraps itself in a function
// that is handed P and adds its own functions to it; a call through P. is a call into another part.
//
// Once per layout: decode the TopoJSON, rasterize every region into a region-id raster and group
// its pixels per region; draw the borders on their own canvas. Per frame: for each region whose
// class changed, write its palette colour into its pixels, put the changed rectangle and redraw
// the borders over it; redraw the title. The cost depends on what changed, never on the frame index.
//
// The parts talk through events, as a map fires "render" and its URL hash listens: P.on(name, fn)
// subscribes, P.emit(name, payload) calls each subscriber in the order they subscribed. Events:
//   "frame"   a frame was drawn (title and map); payload: its index (st.frame)
//   "values"  exact values arrived; payload: {metric, chunk}
//   "metric"  the metric changed (st.metric), before the frame is drawn in it; payload: its index
//   "layout"  the layout changed (size or view: st.layout), before the frame is drawn in it; payload: the layout
//   "play"    playing started or stopped; payload: st.playing
//   "speed"   the speed changed; payload: st.fps (frames per second, 0: as fast as it draws)
//   "pins"    the pinned regions changed; payload: st.pins
//   "range"   the range of frames shown on the timeline changed (st.range); payload: [from, to], both included
// A new part subscribes with P.on in its own function; a new event is a new array in `listeners` and
// a new entry in Events below.
//
// The shared object's type, for TypeScript's checker (tsconfig.json; scripts/test runs tsc): a call
// through P. into another part is checked against it. Every shared field and function is declared here.
/**
 * @typedef {object} Player  window.choroplethPlayer: what the parts share
 * @property {any} meta  the map's metadata (the build's meta JSON)
 * @property {number} N  frames
 * @property {number} R  regions
 * @property {number} CF  frames per data chunk
 * @property {number} NO_DATA  the class of a region without data
 * @property {(id: string) => any} $  document.getElementById
 * @property {HTMLCanvasElement} canvas  the map
 * @property {HTMLCanvasElement} overlay  the hover overlay, over the map
 * @property {CanvasRenderingContext2D} ctx  the map's
 * @property {UI} ui
 * @property {State} st
 * @property {Float64Array[][] | null} rings  per region: its rings [x0, y0, x1, y1, …], projected (10-data)
 * @property {Float64Array[] | null} arcs  the TopoJSON's arcs [x0, y0, …], projected (10-data)
 * @property {Float64Array[]} borderArcs  --borders: the arcs drawn heavier (10-data)
 * @property {(fn: () => void, ms: number) => Throttled} throttle
 * @property {(el: Element, text: string) => boolean} setText
 * @property {(err: Error) => void} fail
 * @property {string} locale  the reader's language, a BCP 47 tag (meta.locale; "en")
 * @property {boolean} english  whether its language is English (the page as it has always been)
 * @property {(key: string, vars?: Record<string, string | number>) => string} t  a word of the player in the reader's language
 * @property {<K extends keyof Events>(name: K, fn: (payload: Events[K]) => void) => void} on
 * @property {<K extends keyof Events>(name: K, payload: Events[K]) => void} emit
 *
 * 05-listeners, 80-refresh
 * @property {() => void} stopRecording  the player's start is over: listeners added later are not its own
 * @property {() => void} detach  the player's window and document listeners removed, its markup as served
 * @property {() => Promise<void>} [checkBuild]  --refresh: look for a newer build now
 *
 * 10-data
 * @property {string} dataPath  the relative URL of the build's data files' folder, ending in /
 * @property {(src: string, key: string) => Promise<any>} loadScript
 * @property {(b64: string) => Promise<Uint8Array>} inflateRaw
 * @property {(from: number, to: number, m?: number) => Promise<unknown>} ensure
 * @property {(m: number, c: number) => Uint8Array | null} usedChunk
 * @property {(r: number, i?: number) => number} classOf
 * @property {(m: number, c: number) => Values | Promise<Values>} valueChunk
 * @property {(r: number, i?: number, m?: number) => number | null | undefined} valueAt  (P.valueOf would replace Object's)
 * @property {(x: number, b?: number, m?: number) => string} formatValue
 * @property {(b: number, v: number | null | undefined) => string} valueText
 * @property {(topo: any) => void} decodeTopology
 *
 * 20-layout
 * @property {(W: number, H: number, view: View) => Placement} placement
 * @property {number} MAX_ZOOM
 * @property {() => View} home
 * @property {(v: View, W: number, H: number) => View} clampView
 * @property {(L: Placement) => Rect} mapArea
 * @property {(c: CanvasRenderingContext2D, L: Placement) => void} clipToMap
 * @property {(path: Path2D, p: Float64Array) => void} tracePath
 * @property {(e: MouseEvent) => [number, number, number, DOMRect]} toCanvas
 * @property {() => [number, number]} fitToWindow
 * @property {(W: number, H: number) => void} resize
 *
 * 30-draw
 * @property {string} INK
 * @property {(i: number) => string} timeText
 * @property {(i: number) => string} titleText
 * @property {(b: number) => string} classText
 * @property {() => void} drawLegend
 * @property {(x: number, y: number) => number} legendAt
 * @property {(i: number) => Rect} legendBox
 * @property {(x: number, y: number, w: number, h: number) => void} paintMap
 * @property {(i: number) => boolean} renderFrame
 *
 * 40-controls
 * @property {(on: boolean) => void} setPlaying
 * @property {(s: number | string) => boolean} setSpeed  frames per second (0: as fast as it draws) or data time ("1d")
 * @property {() => {metric: number | null, frame: number | null, playing: boolean}} restoreState
 * @property {(m: number) => Promise<void>} setMetric
 *
 * 41-timeline, 42-goto
 * @property {() => [number, number]} rangeOf  the range shown: st.range, or all frames
 * @property {(from: number | null, to?: number) => void} setRange  null: the whole range
 * @property {(key: string) => boolean} goTo  a time as text: its frame shown (false: a message says why not)
 * @property {(on?: boolean) => void} showKeys  the keyboard help shown or hidden (default: toggled)
 * @property {Tick[]} shownTicks  the ticks drawn under the scrubber (x and box: CSS px from the lane's left)
 *
 * 50-hover, 55-table, 60-zoom
 * @property {(x: number, y: number) => number} regionAt
 * @property {(r: number) => string} describe
 * @property {(c: number) => string} legendText
 * @property {() => void} drawOverlay
 * @property {() => void} unhover
 * @property {(on: boolean) => void} showTable
 * @property {(v: Partial<View>) => void} setView
 *
 * 68-credits (the words around the map), 69-share (share and embed)
 * @property {(W: number, scale: number) => number} subtitleHeight  the subtitle's band under the title
 * @property {(W: number, scale: number) => number} footHeight  the credits' band at the foot (0 unless st.credits)
 * @property {(canvas: HTMLCanvasElement) => HTMLCanvasElement} withCredits  the PNG download's image
 * @property {(on: boolean) => void} showCredits
 *
 * 65-series, 66-pins, 67-downloads
 * @property {(region: number | string, m?: number) => Promise<Series>} seriesOf
 * @property {(list: Series[]) => number[]} extent
 * @property {(c: CanvasRenderingContext2D, s: Series, box: Box, lo: number, hi: number, look: Look) => void} drawSeries
 * @property {(s: Series, w: number) => Float64Array} columns
 * @property {(box: Box, i: number) => number} xOfFrame
 * @property {(box: {x: number, w: number}, x: number) => number} frameAtX
 * @property {(r: number) => void} showSpark
 * @property {(region: number | string) => Promise<void>} pin
 * @property {(region: number | string) => Promise<void>} unpin
 * @property {(value: string | null) => void} restorePins
 * @property {() => Rect | null} chartBox
 * @property {(kind: string) => Promise<Blob>} download
 */
/**
 * @typedef {object} State  P.st
 * @property {number} metric
 * @property {number} frame  the frame drawn last
 * @property {number} want  a frame asked for whose chunk is still loading (-1: none)
 * @property {number} hover  the region under the pointer (-1: none)
 * @property {number} hoverClass  the legend class under the pointer (-1: none)
 * @property {boolean} playing
 * @property {number} fps  frames per second (0: as fast as it draws)
 * @property {string} speed  the speed as chosen: "24" (frames per second), "0" (as fast as it draws), "1d" (data time)
 * @property {[number, number] | null} range  the frames the timeline shows and play stays in (null: all)
 * @property {[number, number] | null} fixedSize  the canvas size asked for by choropleth.resize
 * @property {Layout | null} layout
 * @property {View} view
 * @property {boolean} gesture  a zoom or pan under way (its preview on show)
 * @property {number} room  the notebook window's height when the frame follows the page's (0: none; part 75)
 * @property {number} minU  the smallest text scale
 * @property {Pin[]} pins  the pinned regions, oldest first
 * @property {boolean} credits  the source and notes drawn at the canvas's foot (video, preview image)
 * @property {boolean} embed  the embed view: the map, legend, play and the timeline only
 */
/**
 * @typedef {{frame: number, values: {metric: number, chunk: number}, metric: number, layout: Layout,
 *            play: boolean, speed: number, pins: Pin[], range: [number, number]}} Events  each event's payload
 * @typedef {{now: () => void, soon: () => void, cancel: () => void}} Throttled
 * @typedef {{zoom: number, x: number, y: number}} View  zoom 1: the whole map; x, y: the projected centre
 * @typedef {{r: number, colour: string}} Pin
 * @typedef {[number, number, number, number]} Rect  x, y, width, height
 * @typedef {{x: number, y: number, w: number, h: number}} Box
 * @typedef {{line: string, band: string, edge: string, width: number}} Look
 * @typedef {Float32Array | Float64Array} Values
 * @typedef {{start: number, step: number, frames: number, min: Float32Array, mean: Float32Array, max: Float32Array}} Series
 * @typedef {{play: HTMLButtonElement, back: HTMLButtonElement, fwd: HTMLButtonElement, first: HTMLButtonElement,
 *            last: HTMLButtonElement, loop: HTMLInputElement, scrub: HTMLInputElement, counter: HTMLElement,
 *            time: HTMLElement, timeFirst: HTMLElement, timeLast: HTMLElement, speed: HTMLSelectElement,
 *            metric: HTMLSelectElement, status: HTMLElement, tooltip: HTMLElement, tooltipText: HTMLElement}} UI
 */
/**
 * @typedef {object} Placement  where the map goes on a W×H canvas (20-layout)
 * @property {number} W
 * @property {number} H
 * @property {number} scale  canvas pixels per pixel of the 1280×720 design: text, lines and margins scale with it
 * @property {number} head  the title's height
 * @property {number} top  the title's and subtitle's height
 * @property {number} foot  the credits' height at the foot (0 unless st.credits)
 * @property {number} bottom  the legend's and credits' height
 * @property {number} areaW  the map's area, inside its padding
 * @property {number} areaH
 * @property {number} fitPixelsPerUnit  canvas pixels per projected unit at zoom 1: the bounding box fits the area
 * @property {number} pixelsPerUnit  the same at the view's zoom
 * @property {number} originX  where the bounding box's corner (bx0, by1) is on the canvas
 * @property {number} originY
 * @property {number} bx0  the bounding box's least x and greatest y, projected
 * @property {number} by1
 */
/**
 * @typedef {Placement & LayoutMore} Layout  st.layout: once per size and view (20-layout)
 * @typedef {object} LayoutMore
 * @property {(x: number, y: number) => [number, number]} toPx  projected -> canvas pixel
 * @property {(a: Float64Array) => Float64Array} project  [x0, y0, …] projected -> the same in canvas pixels
 * @property {Int32Array} ids  per pixel: its region (-1: none)
 * @property {Int32Array} start  region r's pixels are pix[start[r]] … pix[start[r + 1] - 1]
 * @property {Int32Array} pix
 * @property {Int32Array} box  per region: its pixels' box x0, y0, x1, y1
 * @property {ImageData} img  the fill image
 * @property {Uint32Array} img32  its pixels
 * @property {string} bg  the background colour
 * @property {HTMLCanvasElement} borders  the borders' layer
 * @property {Int16Array} shown  per region: the class its pixels hold (-1: none yet)
 * @property {Path2D[]} paths  region outlines for the overlay, built when first hovered
 * @property {string} [title]  the title drawn
 * @property {{x0: number, w: number, k: number, y: number, h: number, nx: number, nw: number}} [legend]  where the legend's classes are
 */
(function () {
  "use strict";
  const meta = JSON.parse(document.getElementById("choropleth-meta").textContent);
  /** @type {(id: string) => any} */
  const $ = (id) => document.getElementById(id); // (its element's kind is the caller's to know)
  const canvas = $("map");

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

  function setText(el, text) { // true when the text changed: the DOM is touched only then
    if (el.textContent === text) return false;
    el.textContent = text;
    return true;
  }

  // One plain array of listeners per event: emitting "frame" costs a loop over a few functions, no allocation.
  const listeners = { frame: [], values: [], metric: [], layout: [], play: [], speed: [], pins: [], range: [] };
  function on(name, fn) {
    if (!listeners[name]) throw new Error(`no event ${name}`);
    listeners[name].push(fn);
  }
  function emit(name, payload) {
    const list = listeners[name];
    for (let k = 0; k < list.length; k++) list[k](payload);
  }

  // The player's words in the reader's language (meta.words: its table over English, from the build);
  // {name} in a word is replaced by vars.name. A count picks "key.one", "key.other"… by the language's rules.
  const locale = meta.locale || "en", words = meta.words || {};
  const plural = new Intl.PluralRules(locale);
  function t(key, vars) {
    const n = vars && typeof vars.n === "number" ? vars.n : null;
    const word = (n !== null && words[`${key}.${plural.select(n)}`]) || words[`${key}.other`] || words[key] || key;
    return vars ? word.replace(/\{(\w+)\}/g, (all, k) => (k in vars ? String(vars[k]) : all)) : word;
  }

  function fail(err) {
    P.ui.status.hidden = false;
    P.ui.status.textContent = t("cannotShow", { error: err.message });
    console.error(err);
  }

  // The fields here, the functions as each part adds them (its Object.assign, checked against Player).
  const P = window.choroplethPlayer = /** @type {Player & TimeAxis} */ ({
    meta,
    N: meta.frames, // frames
    R: meta.regions.names.length, // regions
    CF: meta.chunkFrames, // frames per data chunk
    NO_DATA: 255, // the class of a region without data
    $,
    canvas,
    overlay: $("hover"), // the hover overlay's canvas, over the map
    // A CPU-backed canvas: frames are written as pixels, and reading them back (tests, video) stays cheap.
    ctx: canvas.getContext("2d", { willReadFrequently: true }),
    ui: { play: $("play"), back: $("back"), fwd: $("fwd"), first: $("first"), last: $("last"), loop: $("loop"),
          scrub: $("scrub"), counter: $("counter"), time: $("time"), timeFirst: $("time-first"), timeLast: $("time-last"),
          speed: $("speed"), metric: $("metric"), status: $("status"),
          tooltip: $("tooltip"), tooltipText: $("tooltip-text") }, // the tooltip's box (text and sparkline); its text
    // want: a frame asked for whose chunk is still loading; drawn when it arrives.
    st: { metric: 0, frame: 0, want: -1, hover: -1, hoverClass: -1, playing: false, fps: 24, speed: "24", range: null, fixedSize: null, layout: null,
          view: { zoom: 1, x: NaN, y: NaN }, gesture: false, // view: zoom and centre (NaN: the middle)
          room: 0, // the height of the notebook's window, when the frame around the page follows its height (part 75)
          minU: 0.5, // smallest text scale, in canvas pixels per CSS pixel of a 1280-wide map
          pins: [], // the pinned regions, {r, colour}, oldest first (66-pins)
          credits: false, embed: false }, // the credits in the canvas (68-credits); the embed view (69-share)
    rings: null, // per region: array of Float64Array [x0, y0, x1, y1, ...], projected (set by 10-data)
    arcs: null, // the TopoJSON's arcs as Float64Array [x0, y0, …], projected
    borderArcs: [], // --borders: the arcs drawn heavier, as arcs holds them
    throttle,
    setText,
    fail,
    locale,
    english: locale.split("-")[0] === "en",
    t,
    on,
    emit,
  });
})();
