"""Stage 5, encode, streamed: each metric of an aggregation kept on disk (Aggregated.stored, spill.py)
encoded a block of frames at a time, into the same bytes as encoding.encode_metrics.

A metric's stored grid is read three times, a block of frames at a time, its columns put in shape
order and --fill forward carried from block to block: first for what the classes need (the
extremes, the cells classify.sample_cells names, what is infinite or ≤ 0), the frames the values'
decimal unit samples, the charts' series points and each shape's frames with data; then for the
decimal unit over all values; then for the chunks, each handed to `put` as soon as it is deflated.
Memory holds a few blocks and the series points, whatever the number of frames.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from . import aggregate, classify, framedata, series
from .encoding import Chunk, Encoded, chunk, metric_meta
from .errors import UserError
from .options import Metric
from .spill import Stored

Put = Callable[[int, str, bytes], object]  # (metric, file stem, blob)
CHUNK_CELLS = 1 << 23  # frames × shapes classified and deflated side by side


@dataclass
class Gathered:
    """A metric's first read: what its classes, values and series need."""
    sampled: list[np.ndarray] = field(default_factory=list)
    lo: float = np.inf
    hi: float = -np.inf
    infinite: int = 0
    nonpositive: int = 0
    rows: list[np.ndarray] = field(default_factory=list)  # decimal_unit's sample rows
    present: np.ndarray | None = None


@dataclass
class Summary:
    """What the classes need of a metric's values when they are not in memory at once (no --center):
    the extremes and the values of the cells sample_cells(size) names (log10 of them with --log), and
    every finite value, read again only where the sample holds too few."""
    size: int
    lo: float
    hi: float
    sampled: np.ndarray
    finite: Callable[[], np.ndarray]
    infinite: int = 0
    nonpositive: int = 0


def classes_from(s: Summary, *, k: int, scheme: str, cmap: str, missing: str,
                 user_breaks: list[float] | None = None, log: bool = False, name: str = "metric",
                 round_edges: bool = False) -> classify.Classes:
    """classes_for(values, classify_values=False, center=None), from the values' summary: the same edges."""
    classify.check_values(name, log, s.infinite, s.nonpositive)
    rng, _ = classify.sample_cells(s.size, scheme)
    finite = s.sampled
    if finite.size < min(classify.sample_size(scheme), s.size):
        finite = s.finite()
    if finite.size == 0:
        raise UserError("a metric has no values at all; check the metric column and the aggregation")
    edges = classify.breaks_of(finite, s.lo, s.hi, rng, k, scheme,
                               list(np.log10(user_breaks)) if log and user_breaks is not None else user_breaks,
                               round_edges)
    return classify.classes_of(10 ** edges if log else edges, cmap, missing, None, np.zeros((0, 0), np.uint8))


def blocks(stored: Stored, name: str, frames: int, take: np.ndarray, nodata: np.ndarray, fill: str,
           rows: int) -> Iterator[tuple[int, np.ndarray]]:
    """The metric's [frames × shapes] matrix as encode_metrics makes it, `rows` frames at a time."""
    carry = None
    for f0 in range(0, frames, rows):
        block = stored.read(name, f0, min(frames, f0 + rows), take)
        block[:, nodata] = np.nan
        if fill == "forward":
            if carry is not None:  # the last values so far, carried into this block
                block = framedata.fill_forward(np.concatenate([carry, block]))[1:]
            else:
                framedata.fill_forward(block)
            carry = block[-1:].copy()
        yield f0, block


def gather(chunks: Iterator[tuple[int, np.ndarray]], m: Metric, size: int, frames: int, shapes: int,
           every: int) -> tuple[Gathered, series.Series]:
    """The first read (see the module's docstring)."""
    g = Gathered()
    _, at = classify.sample_cells(size, m.scheme)
    step = series.frames_per_point(frames)
    points = -(-frames // step)
    low, mean, high = (np.empty((points, shapes), np.float32) for _ in range(3 if step > 1 else 1 * 3))
    for f0, block in chunks:
        finite = np.isfinite(block)
        g.present = finite.sum(axis=0) + (g.present if g.present is not None else 0)
        g.infinite += int(np.isinf(block).sum())
        if m.log:
            g.nonpositive += int((block <= 0).sum())
            with np.errstate(divide="ignore", invalid="ignore"):
                scaled = np.log10(block)
        else:
            scaled = block
        if finite.any():
            g.lo, g.hi = min(g.lo, float(np.nanmin(scaled))), max(g.hi, float(np.nanmax(scaled)))
        flat = scaled.reshape(-1)
        if at is None:  # a small grid: every value counts
            g.sampled.append(flat[np.isfinite(flat)])
        else:
            mine = at[(at >= f0 * shapes) & (at < (f0 + len(block)) * shapes)] - f0 * shapes
            picked = flat[mine]
            g.sampled.append(picked[np.isfinite(picked)])
        g.rows.append(block[(-f0) % every::every])
        at_points = slice(f0 // step, f0 // step + -(-len(block) // step))
        if step == 1:
            low[at_points] = block
        else:
            low[at_points], mean[at_points], high[at_points] = series._spans(block, step)
    return g, (series.Series(1, low, low, low) if step == 1 else series.Series(step, low, mean, high))


@dataclass
class Plan:
    """How a stored aggregation is read for the page: frames, columns in shape order, block sizes."""
    stored: Stored
    frames: int
    take: np.ndarray
    nodata: np.ndarray
    fill: str
    per_chunk: int

    def read(self, name: str, rows: int) -> Iterator[tuple[int, np.ndarray]]:
        return blocks(self.stored, name, self.frames, self.take, self.nodata, self.fill, rows)


def encode_stored(agg: aggregate.Aggregated, metrics: list[Metric], region_of_shape: np.ndarray, per_chunk: int,
                  *, values: str, fill: str, missing: str, per: str, put: Put) -> Encoded:
    """encode_metrics for a stored aggregation (no --center): the blobs go to `put` as they are made."""
    assert agg.stored is not None
    plan = Plan(agg.stored, agg.frames, np.maximum(region_of_shape, 0), region_of_shape < 0, fill, per_chunk)
    metas: list[dict] = []
    present: list[np.ndarray] = []
    digests: list[list[list[str]]] = [[], [], []]  # classes, values, series; per metric
    value_bytes = series_bytes = 0
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for k, m in enumerate(metrics):
            made: list[list[str]] = [[], [], []]

            def hashed(k: int, stem: str, blob: bytes, made: list[list[str]] = made) -> None:
                made[1 if stem[0] == "v" else 2 if stem[0] == "s" else 0].append(hashlib.sha256(blob).hexdigest())
                put(k, stem, blob)

            meta, seen, sizes = _metric(plan, k, m, pool, values=values, missing=missing, per=per, put=hashed)
            for kind, mine in zip(digests, made):
                kind.append(mine)
            metas.append(meta)
            present.append(seen)
            value_bytes, series_bytes = value_bytes + sizes[0], max(series_bytes, sizes[1])
    return Encoded(metas=metas, chunks=[[] for _ in metrics], values=[[] for _ in metrics],
                   series=[[] for _ in metrics], present=np.max(present, axis=0), sizes=(value_bytes, series_bytes),
                   digests=digests)


def _metric(plan: Plan, k: int, m: Metric, pool: ThreadPoolExecutor, *, values: str, missing: str, per: str,
            put: Put) -> tuple[dict, np.ndarray, tuple[int, int]]:
    """Metric k, read three times (see the module's docstring): its meta, its frames with data per
    shape, and the bytes of its values and series."""
    frames, shapes = plan.frames, len(plan.take)
    step = series.frames_per_point(frames)
    first_rows = max(step, series.BLOCK_CELLS // max(shapes, 1) // step * step)  # the blocks overview reduces
    per_chunk = plan.per_chunk
    g, points = gather(plan.read(m.name, first_rows), m, frames * shapes, frames, shapes,
                       framedata.sample_step(frames))

    def finite() -> np.ndarray:
        parts = [np.log10(b) if m.log else b for _, b in plan.read(m.name, first_rows)]
        return np.concatenate([p[np.isfinite(p)] for p in parts] + [np.zeros(0, np.float32)])

    summary = Summary(frames * shapes, g.lo, g.hi, np.concatenate(g.sampled), finite, g.infinite,
                               g.nonpositive)
    cls = classes_from(summary, k=m.classes, scheme=m.scheme, cmap=m.cmap, missing=missing,
                                user_breaks=m.breaks, log=m.log, name=m.name, round_edges=m.round)
    rows = np.concatenate(g.rows)
    shown = framedata.shown_of(lambda finest: framedata.decimal_unit_of(
        rows, lambda: (b for _, b in plan.read(m.name, first_rows)), finest), cls.edges) if values == "shown" else None
    classifier = classify.Classifier(cls.edges)
    totals, counts = [], []
    value_bytes = 0
    jobs: list[Future] = []  # the chunks of the block before, encoded on every core while this one is read

    def collect() -> None:
        nonlocal value_bytes
        for job in jobs:
            c, (classes, exact, (total, count)) = job.result()
            put(k, str(c), classes)
            if values != "none":
                put(k, f"v{c}", exact)
                value_bytes += len(exact)
            totals.append(total)
            counts.append(count)
        jobs.clear()

    def numbered(c: int, block: np.ndarray) -> tuple[int, Chunk]:
        return c, chunk(block, classifier, shown, values)

    for f0, block in plan.read(m.name, per_chunk * max(1, CHUNK_CELLS // max(per_chunk * shapes, 1))):
        submitted = [pool.submit(numbered, f0 // per_chunk + i, block[s:s + per_chunk])
                     for i, s in enumerate(range(0, len(block), per_chunk))]
        collect()
        jobs.extend(submitted)
    collect()
    overview = series.encode(points)
    for i, blob in enumerate(overview):
        put(k, f"s{i}", blob)
    strip = series.strip_of(np.concatenate(totals), np.concatenate(counts), step)
    meta = metric_meta(m, cls, shown, values, per, -(-frames // per_chunk), len(overview), strip)
    seen = g.present if g.present is not None else np.zeros(shapes, np.int64)
    return meta, seen, (value_bytes, sum(len(b) for b in overview))
