"""A site of many maps (`--config site.toml`): an index page, a folder per map built by build.make_map,
shared assets, and maps whose inputs did not change kept as they were."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from . import builds, fingerprint, publish, site
from .config import SiteConfig
from .logs import log, progress
from .options import Options

if TYPE_CHECKING:
    from .build import Built
from .video import preview


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # unchanged maps are not copied: the new site shares their files
    except OSError:
        shutil.copy2(src, dst)


def build_site(cfg: SiteConfig, clean: bool = False) -> Path:
    """A site of several maps: an index page, a folder per map, shared assets; unchanged maps reused."""
    began = time.perf_counter()
    out = Path(cfg.out)
    site.check_output(out)
    caches = builds.cache_folder(out)  # maps with `append = true`: their grids, beside the site
    with site.staged(out) as tmp, contextlib.ExitStack() as stack:
        shooter: preview.Shooter | None = None  # the cards' stills and the link previews, once a map is built
        site.write_assets(tmp / "assets")
        entries, fresh = [], []
        for name, o in cfg.maps:
            old, folder = out / name, tmp / name
            inputs, why = fingerprint.compare(o, fingerprint.read(old) if old.is_dir() else None)
            if not clean and why is None:
                shutil.copytree(old, folder, copy_function=_link_or_copy)
                builds.prune(folder)
                (folder / fingerprint.RECORD).unlink()  # a link to the old site's: written anew, not through it
                (folder / fingerprint.RECORD).write_text(inputs.as_json())
                log(f"map {name}: kept: {fingerprint.describe(inputs.source)}, as its last build read")
            else:
                log(f"map {name}: building: {'--clean' if clean else why}")
                shooter = shooter or stack.enter_context(preview.Shooter())
                built = _make(o, old, folder, None if clean else caches / f"{name}.new", shooter.start)
                folder.mkdir(exist_ok=True)
                site.write_map(folder, meta=built.meta, topology=built.topology, chunks=built.chunks,
                               values=built.values, series=built.series, report=built.report, assets="../assets/")
                publish.finish_page(folder, built.meta, built.report, o, shooter, "../assets/")
                summary = {k: built.report[k] for k in ("title", "subtitle", "source", "frames", "from", "to")
                           if k in built.report}
                (folder / "map.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
                (folder / fingerprint.RECORD).write_text(inputs.as_json())
                if old.is_dir():
                    builds.keep_earlier(old, folder)
                fresh.append(folder)
            entries.append({"name": name, **json.loads((folder / "map.json").read_text())})
        if shooter is not None:
            _stills(shooter, fresh)
        for e in entries:
            e["still"] = (tmp / e["name"] / "still.png").exists()
        (tmp / "index.html").write_text(site.render("site.html", title=cfg.title, maps=entries, assets="assets/"),
                                         encoding="utf-8")
    for new in caches.glob("*.new") if caches.is_dir() else []:  # after the site: never newer than it
        builds.swap_cache(new, new.with_suffix(""))
    log(f"site: {len(entries)} maps ({len(fresh)} built) in {out.resolve()} in {time.perf_counter() - began:.1f} s")
    return out.resolve()


def _make(o: Options, old: Path, folder: Path, cache_new: Path | None, checked: Callable[[], None]) -> Built:
    """A map built anew, or with `append = true` built on the old one (append.py) where it can be;
    `checked()` once its inputs are known good (the browser for its preview starts then)."""
    from . import append  # the pipeline's imports: only once a map is built, not for a site kept as it was
    from .build import make_map

    if not o.append:  # a large map streams: its data files written as they are made
        return make_map(o, checked=checked, store=lambda m, stem, blob: site.write_file(folder, m, stem, blob))
    new = cache_new or builds.cache_folder(old.parent) / f"{old.name}.new"
    shutil.rmtree(new, ignore_errors=True)
    if cache_new is not None and builds.current(old):
        built = append.append_map(o, old, folder, new)
        if built is not None:
            return built
    shutil.rmtree(new, ignore_errors=True)
    grid: dict = {}
    built = make_map(o, aggregated=append.recorder(new, grid), checked=checked)
    append.finish_cache(new, o, grid, built)
    return built


def _stills(shooter: preview.Shooter, folders: list[Path]) -> None:
    """A small still image of each new map, its middle frame, drawn by its own page (in headless Chromium)."""
    with progress("still images", len(folders)) as advance:
        for folder in folders:
            frames = json.loads((folder / "map.json").read_text())["frames"]
            failed = shooter.draw(folder / "index.html", folder / "still.png", (480, 270), frames // 2, credits=False)
            if failed:
                log(f"stills: skipped ({failed})")
                return
            advance(1)
