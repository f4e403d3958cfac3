// @ts-check
// build-site player, part 42: go to a time, and the keyboard's help. The field takes a time as the page
// shows it or in ISO 8601 (25-time's parseTime: "2024-03-01", "2024-03-01T14:00"); Enter goes to the
// frame holding it (out of a range that leaves it out: the whole range again). Text that is not a time,
// or a time outside the data, gets a short message beside the field and no jump. The Keys button and
// "?" show the list of shortcuts (Esc, without a range to clear, hides it).
(function (P) {
  "use strict";
  const { N } = P;
  const field = P.$("goto"), message = P.$("goto-message"), keys = P.$("keys"), help = P.$("keys-help");
  const timeAt = (i) => P.timeString(P.timeOf(i)); // (as the page shows times)
  field.placeholder = timeAt(0);

  function goTo(text) { // true when gone there
    const s = String(text).trim(), ms = P.parseTime(s);
    if (!s) return false;
    if (Number.isNaN(ms)) { P.setText(message, P.t("notATime", { example: timeAt(0) })); return false; }
    const i = P.frameAt(ms);
    if (i < 0) { P.setText(message, P.t("outsideData", { from: timeAt(0), to: timeAt(N - 1) })); return false; }
    P.setText(message, "");
    const [lo, hi] = P.rangeOf();
    if (i < lo || i > hi) P.setRange(null);
    P.renderFrame(i);
    return true;
  }
  field.addEventListener("keydown", (e) => {
    if (e.key === "Enter") { goTo(field.value); e.preventDefault(); }
    else if (e.key === "Escape") { field.value = ""; P.setText(message, ""); }
  });
  field.addEventListener("input", () => P.setText(message, "")); // the message goes as the text changes

  function showKeys(on = help.hidden) {
    help.hidden = !on;
    keys.setAttribute("aria-expanded", String(on));
  }
  keys.addEventListener("click", () => showKeys());

  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ goTo, showKeys }));
})(window.choroplethPlayer);
