// @ts-check
// build-site player, part 05: what 80-refresh needs to start the player again on a newer build without
// reloading the page: the page's markup as served (the parts add listeners to its elements), and the
// listeners the parts add to window and document while they start (removed before the next start):
// those of the parts before 80-refresh, which stops the recording.
(function (P) {
  "use strict";
  const main = document.querySelector("main.choropleth");
  const pristine = main ? main.cloneNode(true) : null;
  /** @type {[EventTarget, string, any, any][]} */
  const added = [];
  const originals = [window, document].map((target) => {
    const add = target.addEventListener;
    target.addEventListener = function (type, fn, options) {
      added.push([target, type, fn, options]);
      return add.call(this, type, fn, options);
    };
    return /** @type {[EventTarget, any]} */ ([target, add]);
  });
  // Called by 80-refresh at the end of the player's start: later listeners are not the player's.
  function stopRecording() {
    for (const [target, add] of originals) target.addEventListener = add;
  }
  function detach() { // the player's window and document listeners removed, its markup put back as served
    for (const [target, type, fn, options] of added.splice(0)) target.removeEventListener(type, fn, options);
    const now = document.querySelector("main.choropleth");
    if (now && pristine) now.replaceWith(pristine.cloneNode(true));
  }
  Object.assign(P, /** @satisfies {Partial<Player>} */ ({ stopRecording, detach }));
})(window.choroplethPlayer);
