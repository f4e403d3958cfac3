// @ts-check
// build-site player, part 67: downloads of what is on screen. PNG: the map canvas as shown (title,
// legend, zoom), the source and notes under it. CSV of the current frame: a row per region (name, code, exact value, class bounds).
// CSV of the pinned regions' series: a row per region and point (frames, time, min, mean, max).
(function (P) {
  "use strict";
  const { meta, st, N, R } = P;
  // English numbers and times whatever the reader's language: a CSV is read by programs
  const plain = new Intl.NumberFormat("en", { maximumSignificantDigits: 7, useGrouping: false }); // what a float32 holds
  const num = (v) => (typeof v === "number" && v === v ? plain.format(v) : "");
  const cell = (s) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const csv = (rows) => new Blob([rows.map((row) => row.map((v) => cell(String(v))).join(",")).join("\r\n") + "\r\n"],
                                 { type: "text/csv;charset=utf-8" });
  const codes = meta.regions.codes || meta.regions.keys; // the data's codes (the build leaves them out when they are the keys)
  const slug = (s) => s.normalize("NFKD").replace(/[^\w-]+/g, "-").replace(/^-+|-+$/g, "").toLowerCase() || "map";

  async function frameCsv() {
    const i = st.frame, m = st.metric, c = Math.floor(i / P.CF), edges = meta.metrics[m].edges;
    if (meta.metrics[m].values) await P.valueChunk(m, c);
    const rows = [["region", "code", "value", "class_from", "class_to"]];
    for (let r = 0; r < R; r++) {
      const b = P.classOf(r, i), v = b === P.NO_DATA ? null : P.valueAt(r, i, m);
      rows.push([meta.regions.names[r], codes[r], num(v),
                 b === P.NO_DATA ? "" : num(edges[b]), b === P.NO_DATA ? "" : num(edges[b + 1])]);
    }
    return csv(rows);
  }
  async function seriesCsv() {
    const m = st.metric, regions = st.pins.map((p) => p.r);
    const all = await Promise.all(regions.map((r) => P.seriesOf(r, m)));
    const rows = [["region", "code", "first_frame", "last_frame", "time", "min", "mean", "max"]];
    all.forEach((s, k) => {
      const r = regions[k];
      for (let p = 0; p < s.mean.length; p++) {
        const f = s.start + p * s.step;
        rows.push([meta.regions.names[r], codes[r], f, Math.min(N, f + s.step) - 1, P.strftime(meta.timeFormat, P.timeOf(f)),
                   num(s.min[p]), num(s.mean[p]), num(s.max[p])]);
      }
    });
    return csv(rows);
  }
  // Promise of the Blob a download button saves: "png", "frame.csv" or "series.csv".
  function download(kind) {
    if (kind === "png") return new Promise((resolve) => P.withCredits(P.canvas).toBlob(resolve, "image/png")); // source and notes at its foot
    if (kind === "frame.csv") return frameCsv();
    if (kind === "series.csv") return seriesCsv();
    return Promise.reject(new Error(`no download ${kind}; use "png", "frame.csv" or "series.csv"`));
  }
  function save(kind) {
    const name = slug(meta.title) + (kind === "series.csv" ? "-series.csv" : `-frame-${st.frame}.${kind === "png" ? "png" : "csv"}`);
    download(kind).then((blob) => {
      const a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 60000);
    }).catch((err) => console.error(err)); // (the page itself is unharmed)
  }
  P.$("download-png").addEventListener("click", () => save("png"));
  P.$("download-frame").addEventListener("click", () => save("frame.csv"));
  P.$("download-series").addEventListener("click", () => save("series.csv"));

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ download }));
})(window.choroplethPlayer);
