// @ts-check
// build-site player, part 75: inside a notebook's output (an iframe), tell the page around it how
// tall this page is, so that the frame follows it instead of a fixed height with a blank band under
// the controls. Nothing happens outside an iframe; inside one, nothing changes until the page around
// answers (build_site's notebook output does).
(function (P) {
  "use strict";
  const { st } = P;
  if (window.parent === window) return;
  let sent = -1;
  function send() {
    const h = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (h !== sent) { sent = h; window.parent.postMessage({ type: "build-site:height", height: h }, "*"); }
  }
  // Once the frame follows the page, the map's height is bound by the notebook's window (`room`), not
  // by the frame: bound by a frame that follows it, it would shrink with every answer.
  window.addEventListener("message", (e) => {
    const d = e.data;
    if (e.source !== window.parent || !d || d.type !== "build-site:following" || !(d.room > 0) || d.room === st.room) return;
    st.room = d.room;
    if (!st.fixedSize) P.resize(...P.fitToWindow());
  });
  // From the first full page on: a frame shrunk to the "Loading…" line would make the notebook jump.
  window.choropleth.ready.then(() => new ResizeObserver(send).observe(document.body), () => {});
})(window.choroplethPlayer);
