"""Stage 6, site (called by site.py, build.py and multisite.py): each build's identity, and the data
files of earlier builds kept for the pages still open on them.

A build's id is a hash of what it wrote (its page's metadata, its TopoJSON, every data file), so a clean
build of the same rows gives the same id and the same bytes. Its data files live in data/<id>/: an open
page reads only the files of the build it was served, never a file of the next one with other classes or
another frame count. When a build replaces another, the old one's folder stays for GRACE seconds (pages
left open move on to the new build when they next check, see the player's 80-refresh.js); the times
builds were replaced are recorded in RETIRED, beside the page. build.json, beside the page, holds the
current build's id and frame count: what an open page checks for a newer build.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

GRACE = 3600.0  # seconds an earlier build's data files stay for the pages still showing it
RETIRED = ".retired-builds.json"  # {id: when it was replaced, epoch seconds}
PENDING = ".pending"  # the data folder while a build writes it, before its id is known
BUILD_FILE = "build.json"


def digests(blobs: list[list[list[bytes]]]) -> list[list[list[str]]]:
    """Each data blob's SHA-256: classes, values, series; per metric, its blobs in order."""
    return [[[hashlib.sha256(b).hexdigest() for b in metric] for metric in kind] for kind in blobs]


def build_id(meta: dict, topology: dict, blob_digests: list[list[list[str]]]) -> str:
    """16 hex digits of a hash of the page's metadata (without its id), the TopoJSON and every data blob's
    digest (an appended build knows the digests of the blobs it kept without reading them)."""
    h = hashlib.sha256(json.dumps({k: v for k, v in meta.items() if k != "build"}, sort_keys=True).encode())
    h.update(json.dumps(topology, sort_keys=True).encode())
    h.update(json.dumps(blob_digests).encode())
    return h.hexdigest()[:16]


def data_folder(folder: Path, build: str | None = None) -> Path:
    """Where a map folder's build writes its data files (its id, or PENDING while it is not known)."""
    return folder / "data" / (build or PENDING)


def current(folder: Path) -> str | None:
    """The id of the build a map folder holds (None: none, or one written before builds had ids)."""
    try:
        return str(json.loads((folder / BUILD_FILE).read_text())["build"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def seal(folder: Path, meta: dict) -> None:
    """The build's data, written under PENDING, moved to data/<id>; build.json written."""
    pending, final = data_folder(folder), data_folder(folder, meta["build"])
    if pending.is_dir():
        if final.exists():
            shutil.rmtree(final)
        pending.rename(final)
    (folder / BUILD_FILE).write_text(json.dumps({"build": meta["build"], "frames": meta["frames"]}) + "\n")


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)  # the files are not copied: the new site shares them with the old one
    except OSError:
        shutil.copy2(src, dst)


def keep_earlier(old: Path, new: Path, now: float | None = None, grace: float = GRACE) -> list[str]:
    """Into the map folder `new` (being written, its own build sealed), the data folders of the builds
    the old map folder held that were replaced less than `grace` seconds ago: the old current build
    (replaced now, unless it is the new one) and earlier ones still in their grace. Returns their ids."""
    now = time.time() if now is None else now
    retired = _read_retired(old)
    mine, theirs = current(new), current(old)
    if theirs:
        retired.setdefault(theirs, now)
    kept = {b: t for b, t in retired.items() if b != mine and now - t < grace and data_folder(old, b).is_dir()}
    for b in kept:
        target = data_folder(new, b)
        if not target.exists():
            shutil.copytree(data_folder(old, b), target, copy_function=_link_or_copy)
    _write_retired(new, kept)
    return sorted(kept)


def prune(folder: Path, now: float | None = None, grace: float = GRACE) -> list[str]:
    """Remove from a map folder kept as it was the earlier builds whose grace has passed; returns their ids."""
    now = time.time() if now is None else now
    retired = _read_retired(folder)
    gone = [b for b, t in retired.items() if now - t >= grace]
    for b in gone:
        shutil.rmtree(data_folder(folder, b), ignore_errors=True)
    _write_retired(folder, {b: t for b, t in retired.items() if b not in gone})
    return gone


def _read_retired(folder: Path) -> dict[str, float]:
    try:
        return {str(k): float(v) for k, v in json.loads((folder / RETIRED).read_text()).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def _write_retired(folder: Path, retired: dict[str, float]) -> None:
    path = folder / RETIRED
    if retired:
        path.write_text(json.dumps(retired, sort_keys=True) + "\n")
    else:
        path.unlink(missing_ok=True)


def cache_folder(out: Path) -> Path:
    """Where the cache of the site (or config site) at `out` lives: beside it, a dot-folder, never published."""
    return out.resolve().parent / f".{out.name}.append"


def swap_cache(new: Path, target: Path) -> None:
    """The cache written beside the site put in place once the site is (a stale one is told by its build id)."""
    old = target.with_name(target.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)
