// @ts-check
// build-site player, part 69: share and embed. Share opens a panel with the link to this moment (the
// page's address with its hash: frame, metric, speed, view, pins; 40-controls writes it) and an
// <iframe> snippet of the embed view, each with a Copy button. The embed view (#embed, or embed=1 in
// the hash) keeps the map with its legend, play and the timeline, fitted to the frame it is shown in
// (20-layout's fitToWindow reads st.embed; style.css hides the rest), and a link to the full page.
(function (P) {
  "use strict";
  const { meta, st } = P;
  const panel = P.$("share-panel"), button = P.$("share"), status = P.$("share-status");
  const linkBox = /** @type {HTMLInputElement} */ (P.$("share-link")), embedBox = /** @type {HTMLTextAreaElement} */ (P.$("share-embed"));
  const full = /** @type {HTMLAnchorElement} */ (P.$("open-full"));

  st.embed = /(^#|&)embed(=1)?(&|$)/.test(location.hash);
  if (st.embed) {
    document.documentElement.classList.add("embed");
    full.hidden = false;
  }

  // The page's address with the hash of this moment; embed=1 added for the embed view, or taken out.
  function link(embed) {
    const q = new URLSearchParams(location.hash.slice(1));
    q.delete("embed");
    if (embed) q.set("embed", "1");
    const hash = q.toString().replace(/%2C/g, ","); // the pins' commas as 40-controls writes them
    return location.href.split("#")[0] + (hash ? `#${hash}` : "");
  }
  const attr = (s) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  const snippet = () => `<iframe src="${attr(link(true))}" width="960" height="600" style="border:0" ` +
                        `title="${attr(meta.title)}" loading="lazy" allowfullscreen></iframe>`;
  function fill() {
    linkBox.value = link(false);
    embedBox.value = snippet();
  }
  // The moment moves on while the panel is open; closed, a frame schedules nothing (fill runs on opening).
  const follow = P.throttle(() => { if (!panel.hidden) fill(); }, 300);
  const soon = () => { if (!panel.hidden) follow.soon(); };
  P.on("frame", soon);
  P.on("layout", soon);
  P.on("pins", soon);

  async function copy(box, what) {
    fill();
    try {
      await navigator.clipboard.writeText(box.value);
      status.textContent = P.t("copied", { what });
    } catch (err) { // no clipboard here (an http page, a denied permission): the text selected to copy by hand
      box.focus();
      box.select();
      status.textContent = P.t("selectedToCopy", { what });
    }
  }
  button.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    button.setAttribute("aria-expanded", String(!panel.hidden));
    status.textContent = "";
    if (!panel.hidden) fill();
  });
  P.$("copy-link").addEventListener("click", () => copy(linkBox, P.t("link")));
  P.$("copy-embed").addEventListener("click", () => copy(embedBox, P.t("embedCode")));
  full.addEventListener("click", () => { full.href = link(false); }); // the full page at the same moment
})(window.choroplethPlayer);
