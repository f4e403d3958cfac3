"""The embedded default source: a demo SQLite database, created deterministically on first use.

Table `events` in the shape analysts bring (country, unixtime, metric1 … metric5): a row per
country every 15 minutes for three weeks (so an hourly build aggregates four rows per bucket),
smooth daily and weekly cycles per country, a few dropped rows and outages so no-data shows.
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import numpy as np

from .codes import country_code

# The default `world` shapes' data file (read as JSON: the demo needs their codes, not their geometry).
WORLD = Path(__file__).parent / "geo" / "shapes" / "countries-110m.json"

DEMO_START = 1_704_067_200  # 2024-01-01 00:00 UTC
DEMO_DAYS = 21
ROW_STEP = 900  # seconds between a country's rows
VERSION = 2


def demo_path() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "build-site" / f"demo-v{VERSION}.sqlite"


def demo_countries() -> list[str]:
    """ISO alpha-3 codes of the default shapes' countries (France and Norway through their names)."""
    features = json.loads(WORLD.read_text(encoding="utf-8"))["features"]
    codes = {country_code(f["properties"]["iso_a3"]) or country_code(f["properties"]["name"]) for f in features}
    return sorted(c for c in codes if c)


def demo_rows(countries: list[str]) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(VERSION)
    t = np.arange(DEMO_START, DEMO_START + DEMO_DAYS * 86400, ROW_STEP, dtype=np.int64)
    n, k = len(t), len(countries)
    day, week = 2 * np.pi * (t - DEMO_START) / 86400, 2 * np.pi * (t - DEMO_START) / (7 * 86400)
    phase = rng.uniform(0, 2 * np.pi, k)[:, None]
    size = rng.uniform(5, 100, k)[:, None]
    trend = np.linspace(0, 1, n)[None, :] * rng.normal(0, 0.5, k)[:, None]
    noise = rng.normal(0, 0.05, (k, n))
    cols = {
        "metric1": size * (1.2 + np.sin(day + phase)) * (1 + 0.3 * np.sin(week)) * (1 + noise),
        "metric2": size * np.exp(trend) * (1 + noise),
        "metric3": rng.poisson(np.maximum(0.1, 5 * (1 + np.sin(day / 7 + phase)))).astype(np.float64),
        "metric4": 15 + 12 * np.sin(week / 3 + phase) + 3 * np.sin(day) + rng.normal(0, 1, (k, n)),
        "metric5": rng.gamma(2.0, size / 4, (k, n)),
    }
    keep = rng.random((k, n)) > 0.03  # dropped rows: some buckets hold fewer rows
    for c in rng.choice(k, max(1, k // 10), replace=False):  # outages: hours with no row at all
        s = rng.integers(0, n - 48)
        keep[c, s:s + int(rng.integers(8, 48))] = False
    code = np.repeat(np.array(countries, dtype=object), n).reshape(k, n)
    time = np.broadcast_to(t, (k, n))
    return {"country": code[keep], "unixtime": time[keep],
            **{name: np.round(v[keep], 3) for name, v in cols.items()}}


def ensure_demo_database() -> Path:
    path = demo_path()
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = demo_rows(demo_countries())
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    with sqlite3.connect(tmp) as conn:
        conn.execute("CREATE TABLE events (country TEXT NOT NULL, unixtime INTEGER NOT NULL, metric1 REAL, "
                     "metric2 REAL, metric3 REAL, metric4 REAL, metric5 REAL)")
        conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?)",
                         zip(rows["country"], rows["unixtime"].tolist(),
                             *(rows[f"metric{i}"].tolist() for i in range(1, 6))))
        conn.execute("CREATE INDEX events_time ON events (unixtime)")
    conn.close()
    tmp.replace(path)  # atomic: a half-written demo is never used
    return path
