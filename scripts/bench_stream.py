"""Benchmark of the streamed build (benchmark.py --streamed): frames × regions × metrics beyond memory.

    python scripts/benchmark.py --streamed [--postgres URL]

100,000 hours × the US counties × 5 metrics and 1,000,000 minutes × the world's countries × 1 metric, as
Parquet written a few days at a time with the rows shuffled within each day, built with --agg mean;
with --postgres the counties table is also loaded into PostgreSQL and built from there. Each build's
wall time is measured from outside, its peak RSS by the build's process itself (scripts/peak.py).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

START = 1_600_000_000 // 86400 * 86400
TARGETS = {"counties": (150, 2500), "countries": (150, 1500)}  # build s, peak RSS MB


def shuffled_parquet(path: Path, codes: list[str], frames: int, step: int, metrics: int, days_per_group: int) -> Path:
    """`frames` buckets of `step` seconds × one row per code, metrics float32 (a wave and noise), the rows
    of each day in random order, written `days_per_group` days per row group."""
    if path.exists():
        return path
    rng = np.random.default_rng(7)
    per_day = 86400 // step
    n = len(codes)
    phase = rng.uniform(0, 6.28, n).astype(np.float32)
    regions = pa.array(codes, pa.string())
    tmp = path.with_suffix(".tmp")
    schema = pa.schema([("region", pa.dictionary(pa.int32(), pa.string())), ("unixtime", pa.int64()),
                        *((f"metric{i + 1}", pa.float32()) for i in range(metrics))])
    with pq.ParquetWriter(tmp, schema) as writer:
        for d0 in range(0, frames, per_day * days_per_group):
            parts = []
            for day in range(d0, min(frames, d0 + per_day * days_per_group), per_day):
                f = np.repeat(np.arange(day, min(frames, day + per_day)), n)
                c = np.tile(np.arange(n, dtype=np.int32), len(f) // n)
                order = rng.permutation(len(f))
                parts.append((f[order], c[order]))
            f = np.concatenate([p[0] for p in parts])
            c = np.concatenate([p[1] for p in parts])
            wave = np.sin(f.astype(np.float32) * (6.28 / per_day) + phase[c]) + 1.5
            cols = [pa.DictionaryArray.from_arrays(pa.array(c), regions), pa.array(START + f.astype(np.int64) * step)]
            cols += [pa.array((wave * k + rng.random(len(f), np.float32)).astype(np.float32))
                     for k in (1, 10, 100, 3, 7)[:metrics]]
            writer.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=len(f))
    tmp.replace(path)
    return path


def load_postgres(url: str, table: str, parquet: Path) -> None:
    """The Parquet file into a PostgreSQL table (ADBC's bulk ingest: binary COPY, a row group at a time),
    unless it is there, indexed by time as a table of a time series is."""
    import adbc_driver_postgresql.dbapi as adbc

    uri = url.replace("+psycopg", "")
    with adbc.connect(uri) as conn, conn.cursor() as cur:
        cur.execute("SELECT to_regclass($1)", parameters=(table,))
        if cur.fetchone()[0] is not None:
            cur.execute("SELECT count(*) FROM pg_indexes WHERE tablename = $1 AND indexdef LIKE '%(unixtime)'",
                        parameters=(table,))
            if not cur.fetchone()[0]:  # a table loaded by an earlier version of this script
                cur.execute(f"CREATE INDEX {table}_unixtime ON {table} (unixtime)")
                conn.commit()
            return
        f = pq.ParquetFile(parquet)
        schema = pa.schema([pa.field(n, pa.string() if n == "region" else t)
                            for n, t in zip(f.schema_arrow.names, f.schema_arrow.types)])
        batches = (b.cast(schema) for b in f.iter_batches(batch_size=1 << 20))
        cur.execute(f"DROP TABLE IF EXISTS {table}_load")
        cur.adbc_ingest(f"{table}_load", pa.RecordBatchReader.from_batches(schema, batches), mode="create")
        cur.execute(f"CREATE INDEX {table}_unixtime ON {table}_load (unixtime)")
        cur.execute(f"ALTER TABLE {table}_load RENAME TO {table}")
        cur.execute(f"ANALYZE {table}")
        conn.commit()


def build(args: list[str], root: Path, quiet: bool = False) -> tuple[float, float, float]:
    """build-site (of the tree at `root`) in a child process (scripts/peak.py), its messages printed unless
    `quiet`: wall seconds, peak RSS in MB and CPU seconds (user + system: the machine may be shared, and
    the wall time then counts the others' work too)."""
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("peak.py")), *args], cwd=root,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise SystemExit(f"build failed: {errors}")
    seconds = time.perf_counter() - began
    lines = errors.splitlines()
    kb = next(int(line.split()[1]) for line in reversed(lines) if line.startswith("peak-rss-kb "))
    if not quiet:
        print("".join(f"    {line}\n" for line in lines if not line.startswith("peak-rss-kb ")), end="", flush=True)
    return seconds, kb / 1024, usage.ru_utime + usage.ru_stime


def run(say: Callable[[str, str], None], root: Path, work: Path, world_codes: list[str], county_codes: list[str],
        postgres: str | None, smoke: bool, pg_hours: int | None = None, only_postgres: bool = False) -> None:
    hours, minutes = (2_000, 20_000) if smoke else (100_000, 1_000_000)
    t = time.perf_counter()
    counties = shuffled_parquet(work / f"counties-{hours}h.parquet", county_codes, hours, 3600, 5, 10)
    countries = shuffled_parquet(work / f"countries-{minutes}min.parquet", world_codes, minutes, 60, 1, 4)
    say("streamed data ready", f"{time.perf_counter() - t:.0f} s")
    shuffled = "(Parquet, shuffled within days)"
    cases = [("counties", f"{hours:,} hours × {len(county_codes):,} counties × 5 metrics {shuffled}",
              ["--parquet", str(counties), "--region", "region", "--shapes", "us-counties", "--interval", "1h"]),
             ("countries", f"{minutes:,} minutes × {len(world_codes)} countries × 1 metric {shuffled}",
              ["--parquet", str(countries), "--region", "region", "--interval", "1min"])]
    if only_postgres:
        cases = []
    if postgres:
        t = time.perf_counter()
        n = pg_hours or hours
        table = counties if n == hours else shuffled_parquet(work / f"counties-{n}h.parquet", county_codes, n, 3600,
                                                               5, 10)
        load_postgres(postgres, f"counties_{n}h", table)
        say("streamed PostgreSQL table ready", f"{time.perf_counter() - t:.0f} s")
        cases.append(("counties", f"{n:,} hours × {len(county_codes):,} counties × 5 metrics (PostgreSQL)",
                      ["--db", postgres, "--table", f"counties_{n}h", "--region", "region", "--shapes",
                       "us-counties", "--interval", "1h"]))
    for kind, label, args in cases:
        seconds, rss, cpu = build([*args, "--agg", "mean", "--out", str(work / f"site-streamed-{kind}")], root)
        most_s, most_mb = TARGETS[kind]
        say(f"{label} streamed build", f"{seconds:.1f} s ({cpu:.0f} CPU s, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f}), peak RSS {rss:.0f} MB; targets: build ≤ {most_s} s "
            f"{'met' if seconds <= most_s else 'MISSED'}, peak RSS ≤ {most_mb} MB "
            f"{'met' if rss <= most_mb else 'MISSED'}")

