"""The command line: parse options, make one typed call, print one line per failure."""
from __future__ import annotations

import argparse
import sys

from .errors import UserError


def _float_list(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build-site",
        description="Build an animated choropleth site from a table of metrics per region per time. "
                    "With no source, builds the demo. `build-site record SITE OUT.mp4` records a built site.")
    src = p.add_argument_group("source (default: the embedded demo database)")
    src.add_argument("--db", help="SQLAlchemy database URL, e.g. sqlite:///data.db or postgresql://host/db")
    src.add_argument("--table", help="table to read (with --db)")
    src.add_argument("--query", help="SQL query to read (with --db)")
    src.add_argument("--csv", help="CSV file to read")
    src.add_argument("--parquet", help="Parquet file to read")
    src.add_argument("--region", default="country", help="region code column (default: country)")
    src.add_argument("--time", default="unixtime", help="time column, epoch seconds (default: unixtime)")
    src.add_argument("--metric", dest="metrics", action="append",
                     help="metric column, repeatable (default: every other numeric column)")
    agg = p.add_argument_group("aggregation and classes")
    agg.add_argument("--interval", default="1h", help="bucket size: 15min, 1h, 1d, 7d or seconds (default: 1h)")
    agg.add_argument("--agg", default="sum", help="sum, mean, min, max, count or median (default: sum)")
    agg.add_argument("--classes", type=int, default=20, help="number of colour classes, 1-254 (default: 20)")
    agg.add_argument("--scheme", default="equal_interval",
                     help="equal_interval, quantiles, fisher_jenks, natural_breaks, std_mean, user_defined")
    agg.add_argument("--breaks", type=_float_list, help="class upper bounds for --scheme user_defined: 10,100,1000")
    agg.add_argument("--cmap", default="afmhot_r", help="matplotlib colormap (default: afmhot_r)")
    agg.add_argument("--missing-color", default="#dddddd", help="colour of no-data (default: #dddddd)")
    geo = p.add_argument_group("shapes")
    geo.add_argument("--shapes", help="shapes file geopandas reads (default: Natural Earth 110m countries)")
    geo.add_argument("--shape-key", help="shapes field holding the region codes (default: detected)")
    geo.add_argument("--projection", default="robinson",
                     help="robinson, equal-earth, natural-earth, mercator, albers-usa, or any CRS (default: robinson)")
    geo.add_argument("--simplify", type=float, default=0.5,
                     help="simplification tolerance in pixels of a 1920-wide map (default: 0.5)")
    out = p.add_argument_group("output")
    out.add_argument("--out", default="site", help="output folder (default: site/)")
    out.add_argument("--title", help="title shown above the map")
    out.add_argument("--time-format", help="strftime format of the frame time (default: by interval), UTC")
    return p


def run_build(argv: list[str]) -> int:
    from . import build  # heavy imports only once the arguments parse

    args = build_parser().parse_args(argv)
    result = build.build(build.Options(**vars(args)))
    print(f"Demo site: {result.out / 'index.html'}" if not (args.db or args.csv or args.parquet)
          else f"Site: {result.out / 'index.html'}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return run_build(argv)
    except UserError as exc:
        print(f"build-site: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("build-site: interrupted; the previous output, if any, is unchanged", file=sys.stderr)
        return 130
