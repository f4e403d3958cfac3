"""The options of one map, as the command line, the config file and the Python API give them, and
each metric's own settings (`--metric NAME:key=value,…`). Plain data: every stage reads it, none owns it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import UserError, flag

# The choices of an option, in one place: the validation (validate.py), the config file and the stages
# read them from here.
Agg = Literal["sum", "mean", "min", "max", "count", "median"]
Fill = Literal["none", "forward"]
Values = Literal["shown", "exact", "none"]  # the tooltip's values: at the precision shown, float32, none
Scheme = Literal["equal_interval", "nice", "quantiles", "fisher_jenks", "natural_breaks", "std_mean", "user_defined"]
RegionType = Literal["auto", "iso2", "iso3", "numeric", "fips", "name", "key"]


@dataclass
class Options:
    db: str | None = None
    table: str | None = None
    query: str | None = None
    csv: str | None = None
    parquet: str | None = None
    region: str = "country"
    time: str = "unixtime"
    metrics: list[str] | None = None
    interval: str | None = None  # None: the data's own step (the demo: 1h)
    agg: Agg = "sum"
    fill: Fill = "none"
    tz: str | None = None
    from_: str | None = None  # --from, --to: ISO 8601 dates or times (in tz); the frames run from the bucket
    to: str | None = None  # holding one to the bucket holding the other
    center: float | None = None
    values: Values = "shown"
    sparse: float = 10.0
    classes: int = 20
    scheme: Scheme = "equal_interval"
    breaks: list[float] | None = None
    cmap: str = "afmhot_r"
    missing_color: str = "#dddddd"
    shapes: str | None = None  # a file, or built-in shapes: world, world-10m, us-states, us-counties
    layer: str | None = None
    shape_key: str | None = None
    region_type: RegionType = "auto"
    projection: str | None = None  # None: albers-usa for the built-in US shapes, else robinson
    borders: str | None = None
    bbox: list[float] | None = None
    only: str | None = None
    simplify: float = 0.5
    out: str = "site"
    title: str | None = None
    subtitle: str | None = None  # under the title, on the page and in every download
    source: str | None = None  # "Ministry of Health https://…": text, and a link where it holds a URL
    notes: list[str] | None = None  # footnotes under the map
    preview_frame: str = "last"  # the link preview's image: last, first, a frame number, a time, or none
    base_url: str | None = None  # the page's address, for the preview tags' absolute URLs
    time_format: str | None = None
    locale: str = "en"  # the reader's language: a BCP 47 tag whose language has a table in static/locales/
    log: bool = False
    round: bool = False
    refresh: float | None = None  # --refresh: an open page looks for a newer build every so many seconds
    append: bool = False  # --append: build on the site in `out`, reading only the rows from its last frame on


@dataclass
class Metric:
    """One metric column and how it is aggregated, classified and coloured."""
    name: str
    agg: str
    classes: int
    scheme: str
    breaks: list[float] | None
    log: bool
    cmap: str
    center: float | None
    label: str | None = None
    round: bool = False


def parse_metric(spec: str, o: Options) -> Metric:
    """`NAME` or `NAME:key=value,…` (agg, classes, scheme, breaks=10/100/1000, log, round, cmap, center,
    label); what a spec leaves out comes from the map's options."""
    name, _, rest = spec.partition(":")
    m = Metric(name=name.strip(), agg=o.agg, classes=o.classes, scheme=o.scheme, breaks=o.breaks, log=o.log,
               cmap=o.cmap, center=o.center, round=o.round)
    for item in filter(None, (x.strip() for x in rest.split(","))):
        key, eq, value = (p.strip() for p in item.partition("="))
        try:
            if key in ("log", "round") and not eq:
                setattr(m, key, True)
            elif key in ("agg", "scheme", "cmap", "label") and eq:
                setattr(m, key, value)
            elif key == "classes" and eq:
                m.classes = int(value)
            elif key == "center" and eq:
                m.center = float(value)
            elif key == "breaks" and eq:
                m.breaks = [float(b) for b in value.split("/")]
            else:
                raise ValueError
        except ValueError:
            raise UserError(f"{flag('metrics', spec)}: cannot use {item!r}; write NAME:agg=mean,scheme=quantiles,"
                            "classes=7,cmap=RdBu,center=0,breaks=10/100,log,round,label=TEXT", "metrics") from None
    return m
