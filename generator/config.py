"""The site config file: a TOML file with a site title and any number of maps, each with the
options the command line takes (as keys: `interval = "1d"`, `metrics = ["cases"]`, `missing_color`).

    title = "Intranet maps"
    out = "site"
    base_url = "https://intranet.example/maps/"   # optional: where the site is published
    [defaults]               # applied to every map
    cmap = "viridis"
    [[map]]
    name = "cases"           # the map's folder
    csv = "data/cases.csv"   # paths are relative to this file
"""
from __future__ import annotations

import datetime
import re
import sys
import typing
from dataclasses import dataclass, replace
from pathlib import Path

from . import publish
from .errors import UserError, face
from .geo.builtin import BUILTIN
from .options import Options
from .validate import fits, validate

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

_TYPES = typing.get_type_hints(Options)
_PATHS = ("csv", "parquet", "shapes")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


@dataclass
class SiteConfig:
    path: Path
    title: str
    out: str
    maps: list[tuple[str, Options]]


def _line(text: str, key: str, section: int | None = None) -> int:
    """Line number of `key = …` in the file (in the section-th [[map]] when given)."""
    lines = text.splitlines()
    start = 0
    if section is not None:
        headers = [i for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*map\s*\]\]", line)]
        start = headers[section] if section < len(headers) else 0
    pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for i in range(start, len(lines)):
        if pattern.match(lines[i]):
            return i + 1
    return start + 1


def _check(value: object, kind: object) -> bool:
    """The key's type; a choice (a `Literal`) is text here, and checked with the rest by validate()."""
    choice = any(typing.get_origin(k) is typing.Literal for k in (kind, *typing.get_args(kind)))
    return fits(value, kind) or (choice and isinstance(value, str))


def _options(table: dict, base: Options, path: Path, text: str, section: int | None) -> Options:
    where = "[defaults]" if section is None else f"map {section + 1}"
    values = {}
    for key, value in table.items():
        if key == "name" and section is not None:
            continue
        field = "from_" if key == "from" else key.replace("-", "_")  # `from` is a word of Python's
        if field == "preview_frame" and isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a frame number, written as TOML's integer
        if field == "base_url" and section is None:
            raise UserError(f"{path}:{_line(text, key)}: base_url in [defaults] would give every map one address; "
                            "put it at the top level (the site's address: each map's is base_url + its name + /)")
        if field not in _TYPES or field == "out" or key == "from_":
            raise UserError(f"{path}:{_line(text, key, section)}: unknown key {key!r} in {where}; known keys: "
                            f"{', '.join(sorted(set(_TYPES) - {'out', 'from_'} | {'from'}))}")
        if field in ("from_", "to") and isinstance(value, (datetime.date, datetime.time)):
            value = value.isoformat()  # a TOML date or time: `from = 2016-01-01`, unquoted
        if not _check(value, _TYPES[field]):
            raise UserError(f"{path}:{_line(text, key, section)}: {key!r} in {where} has the wrong type "
                            f"({type(value).__name__}); expected {_TYPES[field]}")
        if field in _PATHS and not Path(value).is_absolute() and value not in BUILTIN:
            value = str(path.parent / value)
        if field == "borders" and not Path(value).is_absolute():
            file = value.rpartition(":")[0] if ":" in value else value
            if (path.parent / file).exists():  # a file beside this one, not a field name
                value = str(path.parent / value)
        if field == "db" and value.startswith("sqlite:///") and not value.startswith("sqlite:////"):
            value = f"sqlite:///{path.parent / value[len('sqlite:///'):]}"
        values[field] = value
    return replace(base, **values)


def load(path_text: str) -> SiteConfig:
    path = Path(path_text)
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise UserError(f"--config {path_text!r}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: not valid TOML: {exc}") from None
    for key in data:
        if key not in ("title", "out", "base_url", "defaults", "map"):
            raise UserError(f"{path}:{_line(text, key)}: unknown key {key!r}; the top level takes title, out, "
                            "base_url, [defaults] and [[map]]")
    for key in ("title", "out", "base_url"):
        if key in data and not isinstance(data[key], str):
            raise UserError(f"{path}:{_line(text, key)}: {key!r} must be a string")
    maps = data.get("map", [])
    if not isinstance(maps, list) or not maps:
        raise UserError(f"{path}: no [[map]]; add at least one")
    defaults = _options(data.get("defaults", {}), Options(), path, text, None)
    built: list[tuple[str, Options]] = []
    for i, table in enumerate(maps):
        name = table.get("name")
        if not isinstance(name, str) or not _NAME.fullmatch(name) or name == "assets":
            raise UserError(f"{path}:{_line(text, 'name', i)}: map {i + 1} needs a name of lowercase letters, "
                            "digits, - and _ (it names the map's folder; not 'assets')")
        if name in (n for n, _ in built):
            raise UserError(f"{path}:{_line(text, 'name', i)}: two maps are named {name!r}")
        options = _options(table, defaults, path, text, i)
        if options.base_url is None and "base_url" in data:  # each map's page is in its own folder of the site
            options.base_url = f"{publish.base_url(data['base_url'])}{name}/"
        try:
            with face("config"):
                validate(options)
        except UserError as exc:
            raise UserError(f"{path}:{_line(text, exc.option or 'name', i)}: map {name!r}: {exc}") from None
        built.append((name, options))
    out = data.get("out", "site")
    out = out if Path(out).is_absolute() else str(path.parent / out)
    return SiteConfig(path=path, title=data.get("title", "Maps"), out=out, maps=built)
