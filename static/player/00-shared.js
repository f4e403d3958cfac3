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
(function () {
  "use strict";
  const meta = JSON.parse(document.getElementById("choropleth-meta").textContent);
  const $ = (id) => document.getElementById(id);
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

  function fail(err) {
    P.ui.status.hidden = false;
    P.ui.status.textContent = `Cannot show the map: ${err.message}`;
    console.error(err);
  }

  const P = window.choroplethPlayer = {
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
          tip: $("tooltip"), tooltip: $("tooltip-text") }, // the tooltip's box; its text (the box also holds the sparkline)
    // want: a frame asked for whose chunk is still loading; drawn when it arrives.
    st: { metric: 0, frame: 0, want: -1, hover: -1, hoverClass: -1, playing: false, fps: 24, fixedSize: null, layout: null,
          view: { zoom: 1, x: NaN, y: NaN }, gesture: false, // view: zoom and centre (NaN: the middle)
          room: 0, // the height of the notebook's window, when the frame around the page follows its height (part 75)
          minU: 0.5 }, // smallest text scale, in canvas pixels per CSS pixel of a 1280-wide map
    rings: null, // per region: array of Float64Array [x0, y0, x1, y1, ...], projected (set by 10-data)
    arcs: null, // the TopoJSON's arcs as Float64Array [x0, y0, …], projected
    throttle,
    fail,
  };
})();
