// In a notebook, around the map's iframe (build_site's Map._repr_html_), not in the map's page: runs
// only where outputs are trusted. It removes the note an untrusted notebook shows instead of the map,
// gives the frame the height the page posts (static/player/75-embed.js) and answers with the height
// of the notebook's window, which the page then fits its map to instead of the frame.
(function (script) {
  "use strict";
  const box = script.parentNode, frame = box.querySelector("iframe");
  box.removeChild(box.querySelector("p"));
  window.addEventListener("message", (e) => {
    const d = e.data;
    if (!frame.contentWindow || e.source !== frame.contentWindow || !d || d.type !== "build-site:height") return;
    frame.style.height = `${Math.max(100, Math.min(Number(d.height) || 0, 10000))}px`;
    e.source.postMessage({ type: "build-site:following", room: window.innerHeight }, "*");
  });
})(document.currentScript);
