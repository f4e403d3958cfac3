"""A site of many maps (`--config site.toml`): an index page, a folder per map built by build.make_map,
shared assets, and maps whose inputs did not change kept as they were."""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from dataclasses import asdict, replace
from pathlib import Path

from . import __version__, demo, site
from .build import finish_page, make_map
from .config import SiteConfig
from .geo import builtin, overlay
from .logs import log, progress
from .options import Options
from .video import preview

HASH_FILE = ".inputs-sha256"


def inputs_digest(o: Options) -> str | None:
    """A hash of everything a map's output depends on; None when an input cannot be hashed (a server)."""
    h = hashlib.sha256(json.dumps(asdict(replace(o, out="")), sort_keys=True).encode())
    h.update(__version__.encode())
    for folder in (site.TEMPLATES, site.STATIC):
        for p in sorted(q for q in folder.rglob("*") if q.is_file()):  # static/player/ holds the player's parts
            h.update(p.relative_to(folder).as_posix().encode() + p.read_bytes())
    files = [Path(v) for v in (o.csv, o.parquet) if v]
    other = overlay.border_file(o.borders) if o.borders else None
    for shapes in [builtin.shapes_path(o.shapes)] + ([builtin.shapes_path(other[0])] if other else []):
        files += sorted(shapes.parent.glob(shapes.stem + ".*")) if shapes.suffix == ".shp" else [shapes]
    if o.db:
        if not o.db.startswith("sqlite:///"):
            return None
        files.append(Path(o.db[len("sqlite:///"):]))
    elif not (o.csv or o.parquet):
        files.append(demo.ensure_demo_database())
    for p in files:
        if p.is_file():
            with p.open("rb") as f:
                while block := f.read(1 << 20):
                    h.update(block)
    return h.hexdigest()


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
    with site.staged(out) as tmp, contextlib.ExitStack() as stack:
        shooter: preview.Shooter | None = None  # the cards' stills and the link previews, once a map is built
        site.write_assets(tmp / "assets")
        entries, fresh = [], []
        for name, o in cfg.maps:
            digest = inputs_digest(o)
            old, folder = out / name, tmp / name
            if not clean and digest and (old / HASH_FILE).is_file() and (old / HASH_FILE).read_text() == digest:
                shutil.copytree(old, folder, copy_function=_link_or_copy)
                log(f"map {name}: unchanged, kept")
            else:
                log(f"map {name}: building")
                shooter = shooter or stack.enter_context(preview.Shooter())
                built = make_map(o, checked=shooter.start)  # the browser starts while the data are read
                folder.mkdir()
                site.write_map(folder, meta=built.meta, topology=built.topology, chunks=built.chunks,
                               values=built.values, series=built.series, report=built.report, assets="../assets/")
                finish_page(folder, built, o, shooter, "../assets/")
                summary = {k: built.report[k] for k in ("title", "subtitle", "source", "frames", "from", "to")
                           if k in built.report}
                (folder / "map.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))
                if digest:
                    (folder / HASH_FILE).write_text(digest)
                fresh.append(folder)
            entries.append({"name": name, **json.loads((folder / "map.json").read_text())})
        if shooter is not None:
            _stills(shooter, fresh)
        for e in entries:
            e["still"] = (tmp / e["name"] / "still.png").exists()
        (tmp / "index.html").write_text(site.render("site.html", title=cfg.title, maps=entries, assets="assets/"),
                                         encoding="utf-8")
    log(f"site: {len(entries)} maps ({len(fresh)} built) in {out.resolve()} in {time.perf_counter() - began:.1f} s")
    return out.resolve()


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
