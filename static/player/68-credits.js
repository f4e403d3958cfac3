// @ts-check
// build-site player, part 68: the words around the map on the canvas. The subtitle under the title
// (wrapped, three lines at most) on screen and so in every image of the map; the source and notes as
// credit lines at the foot: added under the map in the PNG download, and drawn in the canvas itself
// once asked (choropleth.showCredits: the video and the link preview's image). On the page itself the
// source and notes are text under the controls (a link can be followed there). A map without these
// words keeps its pixels: every height here is 0 then.
(function (P) {
  "use strict";
  const { meta, st, ctx } = P;
  const measure = /** @type {CanvasRenderingContext2D} */ (document.createElement("canvas").getContext("2d"));
  const font = (px) => `${Math.round(px)}px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif`;
  const PAPER = "#ffffff", GREY = "#57606a";
  // Font size, line height, padding (above the first line: top) and lines at most, in pixels of the 1280-wide design.
  const SUB = { px: 16, line: 21, pad: 8, top: 0, max: 3 }, FOOT = { px: 13, line: 17, pad: 12, top: 6, max: 4 };

  const site = (url) => url.replace(/^https?:\/\//i, "").replace(/\/$/, "");
  const src = meta.source;
  const notes = /** @type {string[]} */ (meta.notes || []);
  // Each credit a paragraph: the source (its address too: an image cannot be clicked), then the notes.
  const credits = [
    ...(src ? [`${P.t("sourceLabel")} ${src.text}${src.url && src.url !== src.text ? ` (${site(src.url)})` : ""}`] : []),
    ...notes.map((n, k) => (notes.length === 1 ? `${P.t("noteLabel")} ${n}` : `${k ? "" : P.t("notesLabel") + " "}${k + 1}. ${n}`)),
  ];

  /** Words wrapped into lines of at most `width` pixels at `px`; past `max` lines the last ends in "…".
   * @returns {string[]} */
  function wrap(texts, px, width, max) {
    measure.font = font(px);
    const fits = (s) => measure.measureText(s).width <= width;
    const lines = [];
    for (const text of texts) {
      let line = "";
      for (const word of text.split(" ")) {
        if (!line || fits(`${line} ${word}`)) line = line ? `${line} ${word}` : word;
        else { lines.push(line); line = word; }
      }
      lines.push(line); // (a word wider than the line, a long address, is narrowed by fillText's maxWidth)
    }
    if (lines.length > max) {
      lines.length = max;
      let last = lines[max - 1];
      while (last.length > 1 && !fits(`${last}…`)) last = last.slice(0, -1);
      lines[max - 1] = `${last.trimEnd()}…`;
    }
    return lines;
  }
  const memo = new Map(); // per width and scale: placement runs on every gesture step
  function linesOf(kind, W, scale, max = kind.max) {
    const key = `${kind === SUB ? "s" : "f"}${W}|${scale}|${max}`;
    if (!memo.has(key)) memo.set(key, wrap(kind === SUB ? (meta.subtitle ? [meta.subtitle] : []) : credits,
                                           kind.px * scale, W - 28 * scale, max));
    return memo.get(key);
  }
  const heightOf = (kind, n, scale) => (n ? Math.round((n * kind.line + kind.pad) * scale) : 0);
  // The subtitle's band under the title, and the credits' band at the foot (only once asked for).
  const subtitleHeight = (W, scale) => heightOf(SUB, linesOf(SUB, W, scale).length, scale);
  const footHeight = (W, scale) => (st.credits ? heightOf(FOOT, linesOf(FOOT, W, scale).length, scale) : 0);

  function drawLines(c, lines, kind, y, W, h, scale, colour) {
    c.fillStyle = PAPER;
    c.fillRect(0, y, W, h);
    c.fillStyle = colour;
    c.font = font(kind.px * scale);
    c.textBaseline = "top";
    c.textAlign = "left";
    lines.forEach((s, k) => c.fillText(s, 14 * scale, y + (kind.top + k * kind.line + 2) * scale, W - 28 * scale));
  }
  function drawWords() { // once per layout: the subtitle, and the credits when in the canvas
    const L = st.layout, sub = linesOf(SUB, L.W, L.scale);
    if (sub.length) drawLines(ctx, sub, SUB, L.head, L.W, L.top - L.head, L.scale, "#3d444d");
    if (L.foot) drawLines(ctx, linesOf(FOOT, L.W, L.scale), FOOT, L.H - L.foot, L.W, L.foot, L.scale, GREY);
  }
  P.on("layout", drawWords); // after the legend (30-draw subscribed first), which fills the foot
  P.on("metric", drawWords);

  // The PNG download: the canvas as shown, with the credits added under it (unless already in it).
  function withCredits(canvas) {
    const L = st.layout;
    if (!credits.length || !L || L.foot) return canvas;
    const lines = linesOf(FOOT, L.W, L.scale, 12), h = heightOf(FOOT, lines.length, L.scale);
    const out = document.createElement("canvas");
    out.width = L.W; out.height = L.H + h;
    const c = /** @type {CanvasRenderingContext2D} */ (out.getContext("2d"));
    c.drawImage(canvas, 0, 0);
    drawLines(c, lines, FOOT, L.H, L.W, h, L.scale, GREY);
    return out;
  }
  function showCredits(on) { // the credits in the canvas itself (the video, the preview image): laid out anew
    st.credits = !!on;
    if (st.layout) P.resize(st.layout.W, st.layout.H);
  }

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ subtitleHeight, footHeight, withCredits, showCredits }));
})(window.choroplethPlayer);
