"""The command line: parse options, make one typed call, print one line per failure."""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from . import __version__, logs
from .errors import UserError


def _float_list(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of numbers") from None


def _negative_lists(argv: list[str]) -> list[str]:
    """`--bbox -25,34,45,72` read as `--bbox=-25,34,45,72`: argparse takes a value starting with '-' for a flag."""
    out: list[str] = []
    for a in argv:
        if out and out[-1] in ("--bbox", "--breaks") and a[:1] == "-" and a[1:2].isdigit():
            out[-1] = f"{out[-1]}={a}"
        else:
            out.append(a)
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="build-site",
        description="Build an animated choropleth site from a table of metrics per region per time. "
                    "With no source, builds the demo. `build-site record SITE OUT.mp4` records a built site.")
    p.add_argument("--version", action="version", version=f"build-site {__version__}")
    add_voice_options(p)
    src = p.add_argument_group("source (default: the embedded demo database)")
    src.add_argument("--db", help="SQLAlchemy database URL, e.g. sqlite:///data.db or postgresql://host/db")
    src.add_argument("--table", help="table to read (with --db)")
    src.add_argument("--query", help="SQL query to read (with --db)")
    src.add_argument("--csv", help="CSV file to read")
    src.add_argument("--parquet", help="Parquet file to read")
    src.add_argument("--region", default="country", help="region code column (default: country)")
    src.add_argument("--time", default="unixtime",
                     help="time column: epoch s or ms, dates, timestamps, ISO text (default: unixtime)")
    src.add_argument("--metric", dest="metrics", action="append",
                     help="metric column, repeatable, with its own settings if wanted: "
                          "NAME:agg=mean,scheme=quantiles,classes=7,cmap=RdBu,center=0,breaks=10/100,log,label=TEXT "
                          "(default: every other numeric column, with the options below)")
    agg = p.add_argument_group("aggregation and classes")
    agg.add_argument("--interval", help="bucket size: auto (the data's own step), 15min, 1h, 1d, seconds, weeks "
                                        "7d or 1w (from Monday; 1w-sun from Sunday), or calendar 1mo, 1q, 1y, 5y "
                                        "(default: auto; the demo: 1h)")
    agg.add_argument("--from", dest="from_", metavar="WHEN",
                     help="keep the rows from the bucket holding this date or time on (ISO 8601, in --tz): "
                          "2016-01-01, 2016-01-01T06:00")
    agg.add_argument("--to", metavar="WHEN", help="keep the rows up to the end of the bucket holding this date or "
                                                 "time (ISO 8601, in --tz)")
    agg.add_argument("--fill", default="none",
                     help="buckets without rows: none (no data) or forward (the region's last value)")
    agg.add_argument("--agg", default="sum", help="sum, mean, min, max, count or median (default: sum)")
    agg.add_argument("--classes", type=int, default=20, help="number of colour classes, 1-254 (default: 20)")
    agg.add_argument("--scheme", default="equal_interval",
                     help="equal_interval, nice (equal intervals, round edges), quantiles, fisher_jenks, "
                          "natural_breaks, std_mean, user_defined")
    agg.add_argument("--breaks", type=_float_list, help="class upper bounds for --scheme user_defined: 10,100,1000")
    agg.add_argument("--log", action="store_true", help="classes on a log scale (positive values only)")
    agg.add_argument("--round", action="store_true",
                     help="equal intervals between round numbers (1, 2, 2.5, 5 × 10ⁿ); the same as --scheme nice")
    agg.add_argument("--cmap", default="afmhot_r", help="matplotlib or ColorBrewer colormap (default: afmhot_r)")
    agg.add_argument("--center", type=float,
                     help="centre value of a diverging colormap (e.g. 0 with RdBu): half the classes each side")
    agg.add_argument("--missing-color", default="#dddddd", help="colour of no-data (default: #dddddd)")
    geo = p.add_argument_group("shapes")
    geo.add_argument("--shapes", help="shapes file geopandas reads, or built-in shapes: world (Natural Earth 110m "
                                      "countries, the default), world-10m, us-states, us-counties")
    geo.add_argument("--layer", help="the layer to read of a file with several (TopoJSON objects, GeoPackage layers)")
    geo.add_argument("--shape-key", help="shapes field holding the region codes (default: detected)")
    geo.add_argument("--region-type", default="auto",
                     help="type of the data's region codes: iso2, iso3, numeric, fips, name or key (default: detected)")
    geo.add_argument("--projection",
                     help="robinson, equal-earth, natural-earth, mercator, plate-carree (each NAME:LON for another "
                          "central meridian), orthographic[:LON,LAT], albers-usa (the US with insets), albers, "
                          "albers-europe, or any CRS (default: albers-usa for us-states and us-counties, "
                          "else robinson)")
    geo.add_argument("--borders", help="heavier lines where FIELD differs between neighbours (continent; state: US "
                                       "counties' state lines), or the outlines of another file: PATH[:LAYER]")
    geo.add_argument("--bbox", type=_float_list,
                     help="show only WEST,SOUTH,EAST,NORTH (degrees; --bbox=-25,34,45,72), the view fitted to it")
    geo.add_argument("--only", help="keep only the shapes whose FIELD is one of the values: FIELD=VALUE[,VALUE...], "
                                    "e.g. continent=Europe; the view fitted to them")
    geo.add_argument("--simplify", type=float, default=0.5,
                     help="simplification tolerance in pixels of a 1920-wide map (default: 0.5)")
    out = p.add_argument_group("output")
    out.add_argument("--out", default="site", help="output folder (default: site/), or one self-contained "
                                                   "file when it ends in .html")
    out.add_argument("--title", help="title shown above the map")
    out.add_argument("--subtitle", help="a line under the title: on the page, its PNG, the video and the link preview")
    out.add_argument("--source", help="where the data come from, under the map and in every download; a URL in it "
                                      "is a link: --source 'Ministry of Health https://intranet.example/mh'")
    out.add_argument("--note", dest="notes", action="append", help="a footnote under the map (repeatable)")
    out.add_argument("--preview-frame", default="last",
                     help="the frame of the link preview's image (preview.png, 1200x630): last, first, a frame "
                          "number, a time, or none (no image; default: last)")
    out.add_argument("--base-url", help="the address the site is published at, e.g. https://intranet.example/maps/: "
                                        "the link preview's tags need absolute URLs")
    out.add_argument("--time-format", help="strftime format of the frame time (default: by interval)")
    out.add_argument("--locale", default="en",
                     help="the reader's language, a BCP 47 tag (de, pt-BR, zh-CN): the player's words, numbers "
                          "and dates as it writes them (default: en)")
    out.add_argument("--tz", help="time zone of the times shown, e.g. Europe/Paris; days start at its midnight "
                                  "(default: UTC)")
    out.add_argument("--values", default="shown",
                     help="the values the tooltip shows: stored at the precision shown (default), exact float32, "
                          "or none")
    out.add_argument("--no-values", dest="values", action="store_const", const="none", default="shown",
                     help="leave out the values the tooltip shows (a smaller site: classes only)")
    out.add_argument("--sparse", type=float, default=10.0,
                     help="report regions with data in fewer than this %% of frames (default: 10)")
    out.add_argument("--video", help="also record the site into this .mp4, .webm or .gif")
    out.add_argument("--config", help="build a site of several maps from this TOML file (see README)")
    out.add_argument("--clean", action="store_true", help="with --config: rebuild every map, changed or not")
    out.add_argument("--refresh", type=float, metavar="SECONDS",
                     help="a page served over http looks for a newer build every SECONDS and follows it")
    out.add_argument("--append", action="store_true",
                     help="build on the site already in --out, reading only the rows from its last frame on")
    add_recording_options(p)
    return p


def add_voice_options(p: argparse.ArgumentParser) -> None:
    v = p.add_mutually_exclusive_group()
    v.add_argument("-q", "--quiet", action="store_true", help="print nothing but warnings and errors")
    v.add_argument("-v", "--verbose", action="store_true", help="print every step, details included")


def set_voice(args: argparse.Namespace) -> None:
    """The build's messages on stderr at the level asked for: -q warnings and errors, -v details too."""
    logs.setup_command(logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO)


def say(args: argparse.Namespace, line: str) -> None:
    """The command's result on stdout (where the site or video is), unless -q."""
    if not args.quiet:
        print(line, flush=True)


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        return w, h
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 1280x720") from None


def add_recording_options(p: argparse.ArgumentParser, metric_flag: str = "--video-metric") -> None:
    g = p.add_argument_group("video")
    g.add_argument("--fps", type=int, default=30, help="frames per second of the video (default: 30)")
    g.add_argument("--size", type=_size, default=(1280, 720), help="WIDTHxHEIGHT in pixels (default: 1280x720)")
    g.add_argument(metric_flag, dest="video_metric", help="metric to record, by name or index (default: the first)")
    g.add_argument("--start", type=int, default=0, help="first frame (default: 0)")
    g.add_argument("--end", type=int, help="frame to stop before (default: after the last)")
    g.add_argument("--step", type=int, default=1, help="record every n-th frame (default: 1)")
    g.add_argument("--quality", type=int, default=23, help="CRF: lower is better and larger (default: 23)")
    g.add_argument("--browser", help="Chromium/Chrome to use (default: Playwright's own, else the system's)")
    g.add_argument("--method", default="auto", choices=("auto", "webcodecs", "png"),
                   help="how frames leave the browser (default: auto, the fastest available)")
    g.add_argument("--resume", action="store_true", help="continue an interrupted recording")
    g.add_argument("--segment-frames", type=int, default=1800,
                   help="frames per segment: an interrupted recording keeps its complete segments (default: 1800)")


def record_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="build-site record", description="Record a built site into a video, "
                                "frame by frame: .mp4 (H.264), .webm (VP9) or .gif.")
    p.add_argument("site", help="folder of a built site")
    p.add_argument("video", help="output .mp4, .webm or .gif")
    # Only here: with the build, --from and --to are the data's range (and the video records all of it).
    g = p.add_argument_group("range in the page's words")
    g.add_argument("--from", dest="from_time", metavar="TIME",
                   help="first time, as the page shows it or ISO 8601, e.g. 2024-03-01 (instead of --start)")
    g.add_argument("--to", dest="to_time", metavar="TIME", help="last time, included (instead of --end)")
    g.add_argument("--every", help="a frame every this much data time (1h, 1d, 1w, 1mo, 1y) or this many frames "
                                   "(instead of --step)")
    add_recording_options(p, "--metric")
    add_voice_options(p)
    return p


def run_record(args: argparse.Namespace, site: Path, video: str) -> None:
    from .video import capture

    rec = capture.Recording(fps=args.fps, width=args.size[0], height=args.size[1], metric=args.video_metric,
                            start=args.start, end=args.end, step=args.step, quality=args.quality,
                            browser=args.browser, resume=args.resume, method=args.method,
                            segment=args.segment_frames,  # and the page's words, given to `record` only
                            from_time=getattr(args, "from_time", None), to_time=getattr(args, "to_time", None),
                            every=getattr(args, "every", None))
    result = capture.record(site, Path(video), rec)
    say(args, f"Video: {result.path.resolve()} ({result.frames} frames in {result.seconds:.1f} s, "
              f"{result.frames / result.seconds:.0f} frames/s, {result.method})")


def run_build(argv: list[str]) -> int:
    args = build_parser().parse_args(_negative_lists(argv))
    set_voice(args)
    if args.config:  # the pipeline's imports only for the maps that are built (multisite imports them then)
        from . import config, multisite

        say(args, f"Site: {multisite.build_site(config.load(args.config), clean=args.clean) / 'index.html'}")
        return 0
    from . import build  # heavy imports only once the arguments parse
    from .validate import validate

    options = {k: v for k, v in vars(args).items() if k in build.Options.__dataclass_fields__}
    if args.video:
        from .video.capture import FORMATS
        if Path(args.video).suffix.lower() not in FORMATS:  # before the build, not after it
            raise UserError(f"--video {args.video!r}: unknown extension; use .mp4, .webm or .gif")
    o = validate(build.Options(**options))
    result = build.build(o)
    page = result.out if result.out.is_file() else result.out / "index.html"
    say(args, f"{'Demo site' if build.is_demo(o) else 'Site'}: {page}")
    if args.video:
        run_record(args, result.out, args.video)
    return 0


def run_serve(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="build-site serve", description="Preview a site on 127.0.0.1; with "
                                "--config, build it first and rebuild when the config or an input changes.")
    p.add_argument("site", nargs="?", default="site", help="folder to serve (default: site/)")
    p.add_argument("--config", help="the site's TOML config: build, serve its output, rebuild on change")
    p.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000; 0 picks one)")
    add_voice_options(p)
    args = p.parse_args(argv)
    set_voice(args)
    from . import serve

    if not args.config:
        if not Path(args.site).is_dir():
            raise UserError(f"{args.site!r} is not a folder; build a site first or give --config")
        serve.serve(Path(args.site), args.port, None, list)
        return 0
    from . import config, multisite

    cfg = config.load(args.config)
    out = multisite.build_site(cfg)

    def watched() -> list[Path]:
        current = config.load(args.config)
        files = [Path(args.config)]
        for _, o in current.maps:
            files += [Path(v) for v in (o.csv, o.parquet, o.shapes, o.borders) if v]
            if o.db and o.db.startswith("sqlite:///"):
                files.append(Path(o.db[len("sqlite:///"):]))
        return files

    serve.serve(out, args.port, lambda: multisite.build_site(config.load(args.config)), watched)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with logs.command_scope():
        return _main(argv)


def _main(argv: list[str]) -> int:
    try:
        if argv[:1] == ["serve"]:
            return run_serve(argv[1:])
        if argv[:1] == ["record"]:
            args = record_parser().parse_args(argv[1:])
            set_voice(args)
            run_record(args, Path(args.site), args.video)
            return 0
        return run_build(argv)
    except UserError as exc:
        print(f"build-site: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("build-site: interrupted; the previous output, if any, is unchanged", file=sys.stderr)
        return 130


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run() -> None:
    """The command's entry point: main, then out without Python's teardown of the modules a build
    imports (scipy, pandas, GDAL…: most of a second). Every file is closed and every thread joined by then;
    the two streams are flushed here. SIGTERM (a timeout, systemd stopping a timer's service) stops a build
    as Ctrl-C does: its temporary files removed, the previous output unchanged."""
    signal.signal(signal.SIGTERM, _terminated)
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:  # a reader that went away (`build-site … | head`): nothing left to tell it
            pass
    os._exit(code)
