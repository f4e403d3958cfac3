// @ts-check
// build-site player, part 80: a page that follows its site (--refresh SECONDS). Served over http, it asks
// for build.json (the build's id and frame count) every SECONDS and when the tab is shown again; when
// a newer build is there, it reads that build's metadata from the page and starts the player again on
// it, without reloading the page: the time shown, the metric, the speed, playing or not, the view and
// the pins are kept (by the regions' and metrics' names). A viewer on the last frame moves on to the new
// last frame; anyone else keeps their moment and sees a short note ("data to …"). The data files are
// the new build's own (data/<build>/), never mixed with the old one's.
(function (P) {
  "use strict";
  const { meta, st } = P;
  P.stopRecording();
  const note = /** @type {any} */ (window).choroplethRefreshNote;
  if (note) {
    /** @type {any} */ (window).choroplethRefreshNote = null;
    window.choropleth.ready.then(() => {
      const el = document.createElement("p");
      el.className = "refresh-note";
      el.setAttribute("role", "status");
      el.textContent = P.t("dataTo", { time: P.timeText(P.N - 1) });
      const stage = document.querySelector(".stage");
      if (stage) stage.appendChild(el);
      setTimeout(() => el.remove(), 8000);
    }, () => {});
  }
  // No checks from file://, nor from a one-file page (nothing beside it to ask for).
  if (!meta.refresh || !/^https?:$/.test(location.protocol) || document.querySelector("script[data-key]")) return;

  let busy = false;
  async function check() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const now = await (await fetch("build.json", { cache: "no-store" })).json();
      if (!now || now.build === meta.build) return;
      const page = await (await fetch(location.href.split("#")[0], { cache: "no-store" })).text();
      const found = new DOMParser().parseFromString(page, "text/html").getElementById("choropleth-meta");
      if (!found) return;
      const next = JSON.parse(found.textContent || "null");
      if (next && next.build === now.build) restart(next, found.textContent || "");
    } catch (err) { /* offline for a moment, or mid-publication: the next check tries again */ } finally {
      busy = false;
    }
  }
  // The frame of the new build showing the same moment (its frames may start elsewhere).
  function sameMoment(next) {
    const at = meta.start + st.frame * meta.step;
    const i = next.unit === meta.unit ? Math.round((at - next.start) / next.step) : st.frame;
    return Math.max(0, Math.min(next.frames - 1, i));
  }
  function restart(next, text) {
    const onLast = st.frame === P.N - 1, playing = st.playing;
    const byName = (names, name, fallback) => { const i = names.indexOf(name); return i >= 0 ? i : fallback; };
    const metric = byName(next.metrics.map((m) => m.name), meta.metrics[st.metric].name, 0);
    const pins = st.pins.map((p) => byName(next.regions.names, meta.regions.names[p.r], -1)).filter((r) => r >= 0);
    const frame = onLast ? next.frames - 1 : sameMoment(next);
    const v = st.view, zoomed = v.zoom > 1 && Number.isFinite(v.x) && Number.isFinite(v.y);
    if (playing) P.setPlaying(false);
    clearInterval(timer);
    document.removeEventListener("visibilitychange", check);
    // The timeline's range (41-timeline) at the same moments in the new build's frames.
    const at = (i) => Math.max(0, Math.min(next.frames - 1, next.unit === meta.unit
      ? Math.round((meta.start + i * meta.step - next.start) / next.step) : i));
    const range = st.range ? `&from=${at(st.range[0])}&to=${at(st.range[1])}` : "";
    const hash = `#frame=${frame}&metric=${metric}&speed=${encodeURIComponent(st.speed)}&playing=${playing ? 1 : 0}` + range +
      (zoomed ? `&zoom=${+v.zoom.toFixed(3)}&x=${Math.round(v.x)}&y=${Math.round(v.y)}` : "") +
      (pins.length ? `&pins=${pins.join(",")}` : "");
    history.replaceState(null, "", hash); // what the new start restores, as from a shared link
    /** @type {any} */ (window).choroplethRefreshNote = !onLast;
    P.detach();
    const holder = document.getElementById("choropleth-meta");
    if (holder) holder.textContent = text;
    const old = /** @type {HTMLScriptElement | null} */ (document.querySelector("script[src$='player.js']"));
    const again = document.createElement("script");
    again.src = old ? old.src : "player.js";
    if (old) old.remove();
    document.body.appendChild(again);
  }
  const timer = setInterval(check, Math.max(1, meta.refresh) * 1000);
  document.addEventListener("visibilitychange", check);
  P.checkBuild = check;
})(window.choroplethPlayer);
