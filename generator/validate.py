"""One check of a map's options, which every face calls before building (the command, the Python API,
each map of a config file): types and choices from the Options' annotations (`Literal` types), then what
one option says about another. Each error names the option to fix with `flag`, in the face's words."""
from __future__ import annotations

import numbers
import types
import typing
import zoneinfo
from dataclasses import fields

from . import classify, intervals, locales, publish, window
from .errors import UserError, flag
from .logs import debug
from .options import Agg, Metric, Options, Scheme, parse_metric

_TYPES = typing.get_type_hints(Options)
MAX_CLASSES = classify.MAX_CLASSES


def fits(value: object, kind: object) -> bool:
    """Whether `value` is of the annotated type (numpy numbers included: a DataFrame's max() is one)."""
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        return any(fits(value, k) for k in typing.get_args(kind))
    if typing.get_origin(kind) is typing.Literal:
        return value in typing.get_args(kind)
    if typing.get_origin(kind) is list:
        return isinstance(value, list) and all(fits(v, typing.get_args(kind)[0]) for v in value)
    if kind is type(None):
        return value is None
    if kind is bool:
        return isinstance(value, bool)
    if kind is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    return isinstance(value, kind) if isinstance(kind, type) else False


def _wanted(kind: object) -> str:
    """What a type annotation asks for, in words."""
    if typing.get_origin(kind) is typing.Literal:
        return "one of " + ", ".join(map(str, typing.get_args(kind)))
    words: dict[object, str] = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             list[str]: "a list of text", list[float]: "a list of numbers"}
    parts = [words.get(k, str(k)) for k in typing.get_args(kind) if k is not type(None)] or [words.get(kind, str(kind))]
    return " or ".join(parts)


def check_types(o: Options) -> None:
    for f in fields(o):
        value, kind = getattr(o, f.name), _TYPES[f.name]
        if fits(value, kind):
            continue
        literal = [k for k in (kind, *typing.get_args(kind)) if typing.get_origin(k) is typing.Literal]
        if literal and isinstance(value, str):
            raise UserError(f"{flag(f.name, value)} is unknown; choose {_wanted(literal[0])}", f.name)
        raise UserError(f"{flag(f.name, value)} is not {_wanted(kind)}", f.name)


def check_tz(tz: str | None) -> None:
    if tz and tz.upper() != "UTC":
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise UserError(f"{flag('tz', tz)} is not a time zone; use an IANA name like Europe/Paris or UTC",
                            "tz") from None


def check_metric(m: Metric, spec: str | None) -> None:
    """A metric's own settings (from `spec`, NAME:key=value,…, or from the map's options when None)."""
    where = f"{flag('metrics', spec)}: " if spec and ":" in spec else ""

    def bad(message: str, option: str) -> UserError:
        return UserError(where + message, "metrics" if where else option)

    key = (lambda name, value: f"{name} {value!r}") if where else flag
    who = f"metric {m.name!r}: " if m.name and not where else ""  # the map's options name no metric
    if m.agg not in typing.get_args(Agg):
        raise bad(f"{key('agg', m.agg)} is unknown; choose {_wanted(Agg)}", "agg")
    if m.scheme not in typing.get_args(Scheme):
        raise bad(f"{key('scheme', m.scheme)} is unknown; choose {_wanted(Scheme)}", "scheme")
    if not 1 <= m.classes <= MAX_CLASSES:
        raise bad(f"{key('classes', m.classes)} is out of range; use 1 to {MAX_CLASSES}", "classes")
    if m.round and m.scheme not in ("equal_interval", "nice"):
        raise bad(f"{flag('round')} makes equal intervals round, and {key('scheme', m.scheme)} takes its edges from "
                  f"the data; use {flag('scheme', 'equal_interval')} (or nice), or give {flag('breaks')}", "round")
    if m.scheme == "user_defined" and not m.breaks:
        raise bad(f"{flag('scheme', 'user_defined')} needs {flag('breaks')}, e.g. {flag('breaks', [10, 100, 1000])}",
                  "breaks")
    if m.log and m.center is not None:
        raise bad(f"{who}{flag('log')} and {flag('center')} do not go together; choose one", "log")
    if m.log and (m.round or m.scheme == "nice"):
        raise bad(f"{who}{flag('round')} (or {flag('scheme', 'nice')}) makes equal intervals round "
                  f"and {flag('log')} makes equal ratios; choose one, or give round {flag('breaks')} with "
                  f"{flag('log')}", "log")
    classify.colormap(m.cmap)


def validate(o: Options) -> Options:
    """Check every option, before any slow stage; returns `o`, unchanged. A stage does not check again."""
    check_types(o)
    intervals.parse_interval(o.interval)
    check_tz(o.tz)
    locales.normalize(o.locale)
    ends = [window.parse_when(w, o.tz, flag(f)) for w, f in ((o.from_, "from_"), (o.to, "to")) if w]
    if len(ends) == 2 and ends[0] > ends[1]:  # told now, not after the shapes are read
        raise UserError(f"{flag('from_', o.from_)} is after {flag('to', o.to)}; give the earlier time first", "from_")
    classify.check_colour(o.missing_color, "missing_color")
    if o.append and o.out.lower().endswith((".html", ".htm")):
        raise UserError(f"{flag('append')} builds on a site folder; give a folder as {flag('out')}", "append")
    if o.refresh is not None and not o.refresh > 0:
        raise UserError(f"{flag('refresh', o.refresh)}: give a number of seconds above 0", "refresh")
    if o.bbox is not None:
        from .geo import geometry  # geopandas: only when there is a box to check

        geometry.parse_bbox(o.bbox)
    specs: list[str | None] = list(o.metrics) if o.metrics else [None]
    for spec in specs:
        check_metric(parse_metric(spec or "", o), spec)
    publish.check(o)  # the words around the map, the link preview's frame and address
    given = [f"{f.name}={getattr(o, f.name)!r}" for f in fields(o) if getattr(o, f.name) != f.default]
    debug(f"options: {', '.join(given) or 'the defaults'}")
    return o
