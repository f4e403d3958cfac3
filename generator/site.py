"""Stage 5b: write the static site: index.html (Jinja2), our player and stylesheet, the TopoJSON
and the frame chunks, all addressed by relative URLs.

Every data file is a small script that hands its payload to the player (`choroplethLoad(key, data)`):
a <script> tag loads from file:// where fetch() is refused, and from any sub-path of any server.
The site is written into a temporary folder beside the target and swapped in only when complete.
"""
from __future__ import annotations

import base64
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2

from .errors import UserError

MARKER = ".build-site"
# templates/ and static/ sit beside the package in a checkout and inside it in an installed wheel.
_PKG = Path(__file__).parent
TEMPLATES, STATIC = ((_PKG / n if (_PKG / n).is_dir() else _PKG.parent / n) for n in ("templates", "static"))
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True, keep_trailing_newline=True)


def script_json(obj: object) -> str:
    """JSON that is safe inside <script>: no `</script>`, no HTML comment, no line separators."""
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(a, b)
    return text


def loader_script(key: str, payload: object) -> str:
    return f"choroplethLoad({script_json(key)},{script_json(payload)});\n"


def check_output(out: Path) -> None:
    """Refuse an output path that is a file, or a folder of something other than a built site."""
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {str(out)!r} is a file; give a folder path")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise UserError(f"--out {str(out)!r} is a folder this tool did not build; choose another "
                        "folder or empty it first")
    parent = out.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=parent).close()
    except OSError as exc:
        raise UserError(f"--out {str(out)!r} is not writable ({exc.strerror}); choose another folder") from None


def write_map(folder: Path, *, meta: dict, topology: dict, chunks: list[list[bytes]],
              values: list[list[bytes]] | None = None, report: dict | None = None, assets: str = "") -> None:
    """One map's page, TopoJSON, frame chunks (classes, and exact values as v<chunk>.js) and build
    report into `folder`; `assets` is the relative URL of the folder holding player.js and style.css."""
    (folder / "index.html").write_text(render("index.html", title=meta["title"], meta_json=script_json(meta),
                                              assets=assets), encoding="utf-8")
    (folder / "topology.js").write_text(loader_script("topology", topology), encoding="utf-8")
    for m, metric_chunks in enumerate(chunks):
        data = folder / "data" / str(m)
        data.mkdir(parents=True)
        exact = values[m] if values else []
        for stem, blob in [*((str(c), b) for c, b in enumerate(metric_chunks)),
                           *((f"v{c}", b) for c, b in enumerate(exact))]:
            (data / f"{stem}.js").write_text(loader_script(f"{m}/{stem}", base64.b64encode(blob).decode("ascii")),
                                             encoding="ascii")
    if report is not None:
        (folder / "report.json").write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def player_script() -> str:
    """The player the site ships as one player.js: its parts, static/player/NN-name.js, joined in order
    (one request; each part is a classic script that extends the object the first one makes)."""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((STATIC / "player").glob("*.js")))


def write_assets(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "player.js").write_text(player_script(), encoding="utf-8")
    shutil.copyfile(STATIC / "style.css", folder / "style.css")


def render(template: str, **values: object) -> str:
    return _ENV.get_template(template).render(**values)


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A temporary folder beside `out`, swapped in for it when the block completes, removed if not."""
    check_output(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.resolve().parent))
    tmp.chmod(0o755)  # mkdtemp makes it private; a published site must be readable by the web server
    try:
        (tmp / MARKER).write_text("built by build-site; this folder is replaced on every build\n")
        yield tmp
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_site(out: Path, *, meta: dict, topology: dict, chunks: list[list[bytes]],
               values: list[list[bytes]] | None = None, report: dict | None = None) -> int:
    """A one-map site, written atomically; returns its size in bytes."""
    with staged(out) as tmp:
        write_map(tmp, meta=meta, topology=topology, chunks=chunks, values=values, report=report)
        write_assets(tmp)
        size = size_of(tmp)
    return size


def _swap(new: Path, out: Path) -> None:
    """Replace `out` by `new` with two renames; the old site stays whole until the new one is in place."""
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=new.parent))
        old.rmdir()
        out.rename(old)
    try:
        new.rename(out)
    except BaseException:
        if old is not None:
            old.rename(out)  # put the previous site back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
