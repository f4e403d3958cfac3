"""Benchmark: build time, peak memory and size at scale; frame cost in Chromium; matplotlib baseline.

    python scripts/benchmark.py              # 100,000 frames × 177 countries, 10,000 frames × 3,000 cells,
                                             # and the demo and 10,000 frames × 177 countries as one file
    python scripts/benchmark.py --smoke      # the same steps on small data (a test runs this)
    python scripts/benchmark.py --streamed [--postgres URL]   # builds beyond memory (bench_stream.py)
    python scripts/benchmark.py --only timeline   # the timeline at 1,000,000 one-minute frames alone

Synthetic data is written once into --work (default bench-out/) and reused by later runs. Every figure
is printed as `name: value`; ratios compare us with matplotlib done right (geometry drawn once,
set_facecolor per frame, Agg canvas) on the same shapes and classes, and the build with the same build
by --baseline (a commit of this repository, extracted into --work: by default the version before the
columnar aggregation, with SQLite's GROUP BY, pandas for files and float32 values), in the same run.
"""
from __future__ import annotations

import argparse
import base64
import json
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import bench_stream  # noqa: E402  (scripts/, the folder of this script, is on sys.path)

from generator import demo, framedata  # noqa: E402
from generator.geo import geometry  # noqa: E402
from generator.video import browser, capture  # noqa: E402

START = 1_600_000_000 // 3600 * 3600
BASELINE = "210653b"  # before the columnar aggregation and the values at the precision shown
TARGETS = {"SQLite": (25, 1500, 2.0), "Parquet": (10, 1500, None)}  # build s, peak RSS MB, site bytes per cell


def say(name: str, value: str) -> None:
    print(f"{name}: {value}", flush=True)


def countries_db(path: Path, frames: int, per_bucket: int) -> Path:
    """events(country, unixtime, metric1..5): `per_bucket` rows per country per hour, random minutes."""
    if path.exists():
        return path
    codes = np.array(demo.demo_countries(), dtype=object)
    rng = np.random.default_rng(0)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("CREATE TABLE events (country TEXT, unixtime INTEGER, metric1 REAL, metric2 REAL, "
                 "metric3 REAL, metric4 REAL, metric5 REAL)")
    phase = rng.uniform(0, 6.28, len(codes))
    for f0 in range(0, frames, 2000):
        f = np.arange(f0, min(frames, f0 + 2000))
        fr = np.repeat(f, len(codes) * per_bucket)
        cr = np.tile(np.repeat(np.arange(len(codes)), per_bucket), len(f))
        wave = np.sin(fr / 24 * 6.28 + phase[cr]) + 1.5
        cols = [(wave * k + rng.random(len(fr))).round(3).tolist() for k in (1, 10, 100, 3, 7)]
        times = (START + fr * 3600 + rng.integers(0, 3600, len(fr))).tolist()
        conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?)", zip(codes[cr].tolist(), times, *cols))
        conn.commit()
    conn.execute("CREATE INDEX events_time ON events (unixtime)")
    conn.close()
    tmp.replace(path)
    return path


def grid_data(folder: Path, frames: int, cells: int) -> tuple[Path, Path]:
    """A grid of `cells` square regions (GeoPackage) and a Parquet table of one row per cell per hour."""
    shapes, table = folder / f"grid{cells}.gpkg", folder / f"grid{cells}x{frames}.parquet"
    cols = int(np.ceil(np.sqrt(cells * 1.5)))
    rows = int(np.ceil(cells / cols))
    if not shapes.exists():
        boxes = [shapely.box(-120 + i * 50 / cols, 25 + j * 25 / rows, -120 + (i + 1) * 50 / cols,
                             25 + (j + 1) * 25 / rows) for j in range(rows) for i in range(cols)][:cells]
        gpd.GeoDataFrame({"key": [f"G{k:05d}" for k in range(cells)]}, geometry=boxes, crs="EPSG:4326").to_file(shapes)
    if not table.exists():
        rng = np.random.default_rng(1)
        f = np.repeat(np.arange(frames), cells)
        c = np.tile(np.arange(cells), frames)
        x, y = c % cols, c // cols
        wave = np.sin(f / 50 + x / 7) + np.cos(f / 80 + y / 5) + 2
        frame = pd.DataFrame({"region": pd.Categorical.from_codes(c, [f"G{k:05d}" for k in range(cells)]),
                              "unixtime": START + f * 3600 + rng.integers(0, 3600, len(f))})
        for i, k in enumerate((1, 10, 100, 3, 7)):
            frame[f"metric{i + 1}"] = (wave * k + rng.random(len(f))).astype(np.float32)
        frame.to_parquet(table)
    return shapes, table


def baseline_tree(work: Path, rev: str) -> Path | None:
    """The baseline commit's files in work/baseline-REV (extracted once), or None without git or the commit."""
    tree = work / f"baseline-{rev}"
    if (tree / "generator").is_dir():
        return tree
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    tmp = work / f"baseline-{rev}.tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-x", "-C", str(tmp)], input=archive, check=True)
    tmp.replace(tree)
    return tree


def build(args: list[str], cwd: Path = ROOT, quiet: bool = False) -> tuple[float, float]:
    """build-site (of the tree at `cwd`) in a child process: wall seconds and peak RSS in MB of that process."""
    seconds, peak, _ = bench_stream.build(args, cwd, quiet)
    return seconds, peak


def site_size(site: Path) -> int:
    return sum(p.stat().st_size for p in site.rglob("*") if p.is_file())


def site_bins(site: Path, metric: int = 0) -> np.ndarray:
    """The frame × region classes of a built site, decoded from its chunk files."""
    html = (site / "index.html").read_text()
    regions = len(re.search(r'"names":(\[.*?\])', html).group(1).split('","'))
    build = json.loads((site / "build.json").read_text())["build"]
    files = sorted((site / "data" / build / str(metric)).glob("[0-9]*.js"), key=lambda p: int(p.stem))
    blobs = [base64.b64decode(p.read_text().split(',"')[1].split('"')[0]) for p in files]
    return framedata.decode(blobs, regions)


def page_figures(site: Path, label: str, frames: int) -> tuple[float, float]:
    """First-frame time and median draw times in headless Chromium at 1280×720; returns the first frame's
    seconds and the larger median draw time (ms)."""
    with browser.chromium() as b:
        page = b.new_page(viewport={"width": 1300, "height": 900})
        page.goto((site / "index.html").as_uri())
        page.evaluate("choropleth.ready")
        first = page.evaluate("performance.now()")
        page.evaluate("choropleth.resize(1280, 720)")
        n = min(200, frames // 2)
        near0 = page.evaluate("([a, n]) => choropleth.measure(a, n)", [1, n])
        nearN = page.evaluate("([a, n]) => choropleth.measure(a, n)", [frames - n, n])
        jumps = page.evaluate("""async (N) => { const t = []; for (let k = 0; k < 50; k++) {
            const i = (k * 7919) % N; await choropleth.ensure(i, i); const s = performance.now();
            choropleth.renderFrame(i); choropleth.colorAt(0, 0); t.push(performance.now() - s); } return t; }""",
        frames)
        # The same frames with none and with three regions pinned (the chart's marker moves per frame), in
        # turns so that both see the same machine; each turn's mean per frame (the clock ticks in 0.1 ms).
        pinned = page.evaluate("""async ([a, n]) => { if (!choropleth.pin) return null; // (a baseline's page)
            await choropleth.ensure(a, a + n - 1);
            const marker = document.getElementById('chart-marker').getContext('2d'), t = [[], []];
            const run = (k) => { const s = performance.now(); for (let i = a; i < a + n; i++) {
                choropleth.renderFrame(i); choropleth.colorAt(0, 0); marker.getImageData(0, 0, 1, 1); }
                t[k].push((performance.now() - s) / n); };
            for (let turn = 0; turn < 5; turn++) {
              for (const r of choropleth.pinned) await choropleth.unpin(r);
              run(0);
              for (let r = 0; r < 3; r++) await choropleth.pin(r);
              run(1);
            }
            return t; }""", [1, n])
        # Playing at 1 year of data a second (hourly data: about 8,760 frames a second, every stride-th drawn).
        yearly = page.evaluate("""async () => { if (!choropleth.setSpeed) return null; // (a baseline's page)
            if (!choroplethPlayer.speedChoices().some((s) => s.key === '1y')) return null;
            const drawn = []; choroplethPlayer.on('frame', (i) => { if (choropleth.playing) drawn.push(i); });
            choropleth.renderFrame(0); choropleth.setSpeed('1y'); choropleth.play();
            await new Promise((done) => setTimeout(done, 3000)); choropleth.pause();
            return [drawn.length / 3, new Set(drawn).size, drawn.length ? drawn[drawn.length - 1] : 0]; }""")
    if yearly:
        say(f"{label} frames drawn per second playing 1 year/s (target ≥ 50)",
            f"{yearly[0]:.0f} frames/s, {yearly[1]} distinct, reached frame {yearly[2]:,} in 3 s")
    m0, mN = statistics.median(near0), statistics.median(nearN)
    say(f"{label} first frame drawn after navigation", f"{first / 1000:.2f} s")
    say(f"{label} median draw per frame near frame 0 (1280x720)", f"{m0:.2f} ms")
    say(f"{label} median draw per frame near the last frame", f"{mN:.2f} ms ({(mN / m0 - 1) * 100:+.0f}% vs frame 0)")
    say(f"{label} median draw per frame, random jumps (scrubbing)", f"{statistics.median(jumps):.2f} ms")
    if pinned:
        none, three = (statistics.median(t) for t in pinned)
        say(f"{label} median draw per frame with 3 regions pinned",
            f"{three:.3f} ms ({three - none:+.3f} ms vs none pinned, {none:.3f} ms; medians of 5 turns' means)")
    return first / 1000, max(m0, mN)


def first_frame(page_file: Path, runs: int = 3) -> float:
    """Median seconds from navigation to the first drawn frame in headless Chromium, a new page each run.
    Timed from inside the page, so a one-file page is not also waited for until its load event."""
    times = []
    with browser.chromium() as b:
        for _ in range(runs):
            page = b.new_page(viewport={"width": 1300, "height": 900})
            page.goto(page_file.as_uri(), wait_until="commit")
            while page.evaluate("typeof choropleth") == "undefined":
                time.sleep(0.005)
            times.append(page.evaluate("choropleth.ready.then(() => performance.now())") / 1000)
            page.close()
    return statistics.median(times)


def one_file(label: str, args: list[str], work: Path) -> None:
    """The same map as one self-contained file and as a folder: size and time to the first frame."""
    page, folder = work / "one-file.html", work / "one-file-site"
    build([*args, "--out", str(page)])
    build([*args, "--out", str(folder)])
    say(f"{label} one file", f"{page.stat().st_size / 1e6:.1f} MB, first frame {first_frame(page):.2f} s after "
        f"navigation (as a folder: {site_size(folder) / 1e6:.1f} MB, {first_frame(folder / 'index.html'):.2f} s)")


def site_colours(site: Path, metric: int = 0) -> list[str]:
    return re.findall(r"#[0-9a-f]{6}", re.findall(r'"colors":(\[.*?\])', (site / "index.html").read_text())[metric])


def matplotlib_map(shapes: gpd.GeoDataFrame, colours: list[str]) -> tuple:
    """Matplotlib done right: the polygons drawn once as one collection; a palette for set_facecolor."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    from matplotlib.figure import Figure

    fig = Figure(figsize=(12.8, 7.2), dpi=100)  # 1280×720
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    shapes.plot(ax=ax, edgecolor="#555555", linewidth=0.3)
    palette = np.array([mcolors.to_rgba(c) for c in colours] + [(0.87, 0.87, 0.87, 1)] * (256 - len(colours)))
    return fig, ax.collections[0], palette


def matplotlib_fps(shapes: gpd.GeoDataFrame, bins: np.ndarray, colours: list[str], frames: int) -> float:
    """Frames/s of matplotlib recolouring and drawing on an Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig, collection, palette = matplotlib_map(shapes, colours)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    began = time.perf_counter()
    for f in range(frames):
        collection.set_facecolor(palette[bins[f % len(bins)]])
        canvas.draw()
        canvas.buffer_rgba()
    return frames / (time.perf_counter() - began)


def matplotlib_video_fps(shapes: gpd.GeoDataFrame, bins: np.ndarray, colours: list[str], frames: int,
                         out: Path) -> float:
    """Frames/s of matplotlib's FFMpegWriter (libx264) on the same map."""
    import imageio_ffmpeg
    import matplotlib
    from matplotlib.animation import FFMpegWriter

    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    fig, collection, palette = matplotlib_map(shapes, colours)
    writer = FFMpegWriter(fps=30, codec="libx264", extra_args=["-pix_fmt", "yuv420p", "-preset", "veryfast"])
    began = time.perf_counter()
    with writer.saving(fig, str(out), dpi=100):
        for f in range(frames):
            collection.set_facecolor(palette[bins[f % len(bins)]])
            writer.grab_frame()
    return frames / (time.perf_counter() - began)


def video_figures(site: Path, label: str, frames: int, count: int, shapes: gpd.GeoDataFrame, work: Path,
                  mpl_frames: int) -> None:
    rates = []
    for start in (0, max(0, frames - count - 1000)):
        t = time.perf_counter()
        result = capture.record(site, work / "bench.mp4", capture.Recording(start=start, end=start + count))
        rates.append(result.frames / (time.perf_counter() - t))
        say(f"{label} video, {count:,} frames at 1280x720 from frame {start:,}",
            f"{rates[-1]:.0f} frames/s ({result.method}, including browser start)")
    fps = matplotlib_video_fps(shapes, site_bins(site)[:mpl_frames], site_colours(site), mpl_frames, work / "mpl.mp4")
    say(f"{label} matplotlib FFMpegWriter baseline", f"{fps:.1f} frames/s (ours {min(rates) / fps:.1f}× faster)")


def sizes(site: Path, regions: int) -> tuple[int, float, float, float, float]:
    """Frames; bytes per cell (frame × region × metric) of the whole site, its classes, values and series."""
    frames = int(re.search(r'"frames":(\d+)', (site / "index.html").read_text()).group(1))
    cells = frames * regions * 5
    files = {kind: sum(p.stat().st_size for p in (site / "data").rglob(glob))
             for kind, glob in (("classes", "[0-9]*.js"), ("values", "v*.js"), ("series", "s*.js"))}
    return frames, site_size(site) / cells, files["classes"] / cells, files["values"] / cells, files["series"] / cells


def scenario(label: str, args: list[str], site: Path, shapes: gpd.GeoDataFrame, mpl_frames: int,
             baseline: Path | None) -> None:
    seconds, rss = build([*args, "--out", str(site)])
    frames, whole, classes, values, charts = sizes(site, len(shapes))
    say(f"{label} build", f"{seconds:.1f} s, peak RSS {rss:.0f} MB, site {site_size(site) / 1e6:.1f} MB = {whole:.3f} "
        f"bytes per cell: classes {classes:.3f}, values for the tooltip {values:.3f}, series for the charts "
        f"{charts:.3f} (both loaded on demand) ({frames:,} frames × {len(shapes):,} regions × 5 metrics)")
    say(f"{label} series for the charts", f"{charts * frames * len(shapes) / 1e6:.2f} MB per metric (loaded on demand)")
    kind = "SQLite" if "SQLite" in label else "Parquet"
    most_s, most_mb, most_bytes = TARGETS[kind]
    say(f"{label} targets", f"build ≤ {most_s} s: {'met' if seconds <= most_s else 'MISSED'}; peak RSS ≤ {most_mb} MB: "
        f"{'met' if rss <= most_mb else 'MISSED'}" + (f"; site ≤ {most_bytes} bytes per cell (classes ≤ 0.5): "
        f"{'met' if whole <= most_bytes and classes <= 0.5 else 'MISSED'}" if most_bytes else ""))
    ours = page_figures(site, label, frames)
    if baseline is not None:
        old_site = site.with_name(site.name + "-baseline")
        old_seconds, old_rss = build([*args, "--out", str(old_site)], cwd=baseline, quiet=True)
        _, old_whole, old_classes, old_values, _ = sizes(old_site, len(shapes))
        say(f"{label} baseline build ({baseline.name}: today's path)",
            f"{old_seconds:.1f} s, peak RSS {old_rss:.0f} MB, {old_whole:.3f} bytes per cell (classes "
            f"{old_classes:.3f}, values {old_values:.3f}); ours: {seconds / old_seconds:.2f}× the time, "
            f"{rss / old_rss:.2f}× the memory, {whole / old_whole:.2f}× the size")
        old = page_figures(old_site, f"{label} baseline", frames)
        say(f"{label} page vs baseline", f"first frame {ours[0] / old[0]:.2f}×, draw per frame {ours[1] / old[1]:.2f}×")
    fps = matplotlib_fps(shapes, site_bins(site)[:mpl_frames], site_colours(site), mpl_frames)
    say(f"{label} matplotlib baseline", f"{fps:.1f} frames/s (ours: {1000 / ours[1]:.0f} frames/s, "
        f"{1000 / ours[1] / fps:.0f}× faster)")


def minutes_data(path: Path, frames: int, regions: int) -> Path:
    """A Parquet table of one row per country per minute: `frames` one-minute frames, `regions` countries."""
    if not path.exists():
        codes = ["BRA", "FRA", "AUS", "USA", "CHN", "IND", "RUS", "CAN", "ARG", "ZAF", "NOR", "EGY"][:regions]
        f = np.repeat(np.arange(frames, dtype=np.int64), len(codes))
        k = np.tile(np.arange(len(codes)), frames)
        value = (np.sin(f / 5000.0 + k) + 1) * 50 + np.sin(f / 37.0) * 10 + k * 7
        pd.DataFrame({"country": pd.Categorical.from_codes(k, codes), "unixtime": START + f * 60,
                      "metric1": value.astype(np.float32)}).to_parquet(path)
    return path


def timeline_figures(frames: int, regions: int, work: Path) -> None:
    """The timeline at `frames` one-minute frames: the build, the time per scrubber move while dragging, the
    distinct frames drawn per second at the fastest speed, the time to zoom to one hour and draw its ticks;
    screenshots zoomed out and in at 1280×800 and 390×844 in test-artifacts/screenshots/."""
    label = f"timeline, {frames:,} one-minute frames × {regions} countries (Parquet)"
    table = minutes_data(work / f"minutes-{frames}x{regions}.parquet", frames, regions)
    site = work / "site-minutes"
    seconds, rss = build(["--parquet", str(table), "--interval", "1min", "--out", str(site)], quiet=True)
    say(f"{label} build", f"{seconds:.1f} s, peak RSS {rss:.0f} MB, {site_size(site) / 1e6:.0f} MB")
    shots = ROOT / "test-artifacts" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with browser.chromium() as b:
        page = b.new_page(viewport={"width": 1280, "height": 800})
        page.goto((site / "index.html").as_uri())
        page.evaluate("choropleth.ready")
        n = page.evaluate("choropleth.frameCount")
        # Dragging the scrubber's thumb across its whole width: each move until the map shows the thumb's frame.
        box = page.locator("#scrub").bounding_box()
        y = box["y"] + box["height"] / 2
        page.mouse.move(box["x"] + 8, y)
        page.mouse.down()
        moves = []
        for k in range(1, 61):
            page.mouse.move(box["x"] + 8 + (box["width"] - 16) * k / 60, y)
            t = time.perf_counter()
            page.wait_for_function("() => choropleth.frame === Number(document.getElementById('scrub').value)",
                                   polling="raf", timeout=20000)
            moves.append((time.perf_counter() - t) * 1000)
        page.mouse.up()
        say(f"{label} time per scrubber move while dragging (target ≤ 16 ms)",
            f"median {statistics.median(moves):.1f} ms, 90th percentile {sorted(moves)[len(moves) * 9 // 10]:.1f} ms "
            f"({n:,} frames, {n / (box['width'] - 16):,.0f} frames a pixel)")
        # The fastest speed in data time: distinct frames drawn per second, each a real frame.
        fastest = page.evaluate("""() => {
            const c = choroplethPlayer.speedChoices().filter((s) => !/^\\d+$/.test(s.key));
            return c[c.length - 1]; }""")
        page.evaluate("""(key) => { window.drawn = []; choroplethPlayer.on('frame', (i) => {
            if (choropleth.playing) drawn.push(i); }); choropleth.renderFrame(0); choropleth.setSpeed(key); }""",
                      fastest["key"])
        page.evaluate("choropleth.play()")
        time.sleep(3)
        page.evaluate("choropleth.pause()")
        drawn = page.evaluate("drawn")
        say(f"{label} distinct frames drawn per second at the fastest speed ({fastest['label']}, target ≥ 50)",
            f"{len(drawn) / 3:.0f} frames/s, {len(set(drawn))} distinct "
            f"({fastest['framesPerSecond']:,.0f} frames of data a second)")
        page.evaluate("choropleth.setSpeed(24)")
        shot = lambda name: page.screenshot(path=str(shots / f"timeline-1M-{name}.png"))  # noqa: E731
        shot("all-1280x800")
        # Zoom to one hour of minute frames in the middle: the range set, its ticks and strip drawn.
        ms = page.evaluate("""(n) => { const f = Math.floor(n / 2), t = performance.now();
            choropleth.setRange(f, f + 59); return performance.now() - t; }""", n)
        ticks = page.evaluate("choroplethPlayer.shownTicks.filter((t) => t.box).map((t) => t.label)")
        say(f"{label} zoom to one hour of minute frames and draw its ticks",
            f"{ms:.1f} ms ({len(ticks)} labels: {', '.join(ticks[:4])}…)")
        page.wait_for_timeout(300)
        shot("hour-1280x800")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(500)
        shot("hour-390x844")
        page.evaluate("choropleth.setRange(null)")
        page.wait_for_timeout(300)
        shot("all-390x844")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--smoke", action="store_true", help="small sizes, for the test suite")
    p.add_argument("--frames", type=int, default=100_000)
    p.add_argument("--rows-per-bucket", type=int, default=2)
    p.add_argument("--grid-frames", type=int, default=10_000)
    p.add_argument("--grid-cells", type=int, default=3_000)
    p.add_argument("--work", type=Path, default=ROOT / "bench-out")
    p.add_argument("--pg", help="a PostgreSQL URL for the figures of appending to one and ten years of rows")
    p.add_argument("--baseline", default=BASELINE, help="commit to compare the build with ('' for none)")
    p.add_argument("--streamed", action="store_true", help="only the streamed builds (bench_stream.py)")
    p.add_argument("--postgres", help="with --streamed: a PostgreSQL URL to load and build the counties from")
    p.add_argument("--pg-hours", type=int, help="with --postgres: hours of counties in its table (default: all)")
    p.add_argument("--only-postgres", action="store_true", help="with --postgres: only its build")
    p.add_argument("--timeline-frames", type=int, default=1_000_000)
    p.add_argument("--timeline-regions", type=int, default=12)
    p.add_argument("--only", choices=["timeline"], help="one scenario alone")
    a = p.parse_args()
    if a.streamed:

        a.work.mkdir(parents=True, exist_ok=True)
        counties = geometry.read_shapes("us-counties")["id"].astype(str).tolist()
        bench_stream.run(say, ROOT, a.work, demo.demo_countries(), counties, a.postgres, a.smoke, a.pg_hours,
                         a.only_postgres)
        return
    if a.smoke:
        a.frames, a.grid_frames, a.grid_cells, a.timeline_frames = 600, 400, 300, 5000
    a.work.mkdir(parents=True, exist_ok=True)
    if a.only == "timeline":
        timeline_figures(a.timeline_frames, a.timeline_regions, a.work)
        return
    baseline = baseline_tree(a.work, a.baseline) if a.baseline else None
    say("baseline", f"{a.baseline} in {baseline}" if baseline else f"none ({a.baseline or 'not asked for'})")

    t = time.perf_counter()
    db = countries_db(a.work / f"countries-{a.frames}x{a.rows_per_bucket}.db", a.frames, a.rows_per_bucket)
    say("countries data ready", f"{db} ({time.perf_counter() - t:.0f} s)")
    world = geometry.read_shapes(None).to_crs("ESRI:54030")
    label = f"{a.frames:,} frames × {len(world)} countries (SQLite)"
    scenario(label, ["--db", f"sqlite:///{db}", "--table", "events", "--interval", "1h"], a.work / "site-countries",
             world, 30 if a.smoke else 200, baseline)
    video_figures(a.work / "site-countries", label, a.frames, 100 if a.smoke else 3000, world, a.work,
                  20 if a.smoke else 200)

    live_figures(db, a.work, a.pg)
    one_file("demo (504 frames × 177 countries × 5 metrics)", [], a.work)
    ten = min(10_000, a.frames)
    one_file(f"{ten:,} frames × {len(world)} countries × 5 metrics", ["--db", f"sqlite:///{db}", "--query",
             f"SELECT * FROM events WHERE unixtime < {START + ten * 3600}", "--interval", "1h"], a.work)

    grid_shapes, table = grid_data(a.work, a.grid_frames, a.grid_cells)
    grid = geometry.read_shapes(grid_shapes).to_crs("ESRI:54030")
    scenario(f"{a.grid_frames:,} frames × {a.grid_cells:,} grid cells (Parquet)",
             ["--parquet", str(table), "--region", "region", "--shapes", str(grid_shapes), "--interval", "1h"],
             a.work / "site-grid", grid, 10 if a.smoke else 50, baseline)
    timeline_figures(a.timeline_frames, a.timeline_regions, a.work)


def live_figures(db: Path, work: Path, pg: str | None) -> None:
    """Data that keeps arriving: on the countries table less its last day, a build with --append; the day
    added and appended; a --config run with nothing changed; and on PostgreSQL (given a URL) a day
    appended to one and to ten years of hourly rows, with an index on the time column."""
    live = work / "live.db"
    shutil.copyfile(db, live)
    with sqlite3.connect(live) as conn:
        last = conn.execute("SELECT max(unixtime) FROM events").fetchone()[0]
        cut = (last // 3600 - 23) * 3600
        conn.execute("DELETE FROM events WHERE unixtime >= ?", (cut,))
    args = ["--db", f"sqlite:///{live}", "--table", "events", "--interval", "1h", "--append"]
    shutil.rmtree(work / "site-live", ignore_errors=True)
    full, _ = build([*args, "--out", str(work / "site-live")], quiet=True)
    with sqlite3.connect(live) as conn:
        conn.execute("ATTACH ? AS src", (str(db),))
        conn.execute("INSERT INTO events SELECT * FROM src.events WHERE unixtime >= ?", (cut,))
    appended, _ = build([*args, "--out", str(work / "site-live")], quiet=True)
    say("append 24 hours (SQLite)", f"{appended:.1f} s against {full:.1f} s for the build it extends "
        f"({appended / full:.0%}; target ≤ 25%)")
    toml = work / "live.toml"
    toml.write_text(f'out = "site-config"\n[[map]]\nname = "live"\ndb = "sqlite:///{live}"\ntable = "events"\n'
                    'interval = "1h"\nappend = true\n')
    build(["--config", str(toml)], quiet=True)
    began = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "generator", "--config", str(toml)], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    unchanged = time.perf_counter() - began
    inside = re.search(r"site: 1 maps \(0 built\) in .* in ([0-9.]+) s", run.stderr)
    say("--config with nothing changed (SQLite)", f"{inside.group(1) if inside else '?'} s to check and keep the map "
        f"(target < 1 s); {unchanged:.2f} s with the command's start and imports")
    if not pg:
        return
    import sqlalchemy as sa

    engine = sa.create_engine(pg)
    for years in (1, 10):
        hours = years * 8760
        name = f"live_{years}y"
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
            conn.execute(sa.text(f"CREATE TABLE {name} AS SELECT c AS country, t AS unixtime, "
                                 "(random() * 100)::float8 AS metric1 FROM unnest(CAST(:codes AS text[])) c, "
                                 "generate_series(:s, :e, 3600) t"),
                         {"codes": demo.demo_countries(), "s": START, "e": START + (hours - 25) * 3600})
            conn.execute(sa.text(f"CREATE INDEX ON {name} (unixtime)"))
            conn.execute(sa.text(f"ANALYZE {name}"))
        out = work / f"site-{name}"
        shutil.rmtree(out, ignore_errors=True)
        pg_args = ["--db", pg, "--table", name, "--interval", "1h", "--append", "--out", str(out)]
        first, _ = build(pg_args, quiet=True)
        with engine.begin() as conn:
            conn.execute(sa.text(f"INSERT INTO {name} SELECT c, t, (random() * 100)::float8 FROM "
                                 "unnest(CAST(:codes AS text[])) c, generate_series(:s, :e, 3600) t"),
                         {"codes": demo.demo_countries(), "s": START + (hours - 24) * 3600,
                          "e": START + (hours - 1) * 3600})
        appended, _ = build(pg_args, quiet=True)
        say(f"append a day to {years} year{'s' if years > 1 else ''} of hourly rows (PostgreSQL, "
            f"{hours * len(demo.demo_countries()):,} rows)", f"{appended:.1f} s (the build it extends: {first:.1f} s)")
    engine.dispose()


if __name__ == "__main__":
    main()
