"""Stage 5, encode, on every core: each metric's classes, its chunks of classes and values, its series.

A metric is prepared (its matrix in shape order, its classes, series and value units) while another's
chunks are classified and deflated (numpy and zlib release the GIL); a metric's matrix goes once its
chunks are done, and `written` is handed its data then: the command writes it while the next metrics
encode.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from . import aggregate, classify, framedata, series
from .logs import progress
from .options import Metric

Written = Callable[[int, list[bytes], list[bytes], list[bytes]], object]  # (metric, chunks, values, series)
Chunk = tuple[bytes, bytes, tuple[np.ndarray, np.ndarray]]  # classes, values, the frames' class sums


@dataclass
class Encoded:
    metas: list[dict]  # per metric, for the page: classes, colours, values' coding, series, the scrubber's strip
    chunks: list[list[bytes]]  # per metric: the class chunks
    values: list[list[bytes]]  # per metric: the values' chunks (none with --values none)
    series: list[list[bytes]]  # per metric: the regions' series, a blob per group of regions
    present: np.ndarray  # per shape: the most frames in which a metric has a value
    sizes: tuple[int, int] | None = None  # streamed (the blobs written, not kept): values' bytes, series' most bytes
    digests: list[list[list[str]]] | None = None  # streamed: each blob's SHA-256 (builds.digests), made as written


def chunk(block: np.ndarray, classifier: classify.Classifier, shown: framedata.Shown | None, values: str) -> Chunk:
    """One chunk of one metric: its classes, its values as --values asks, its frames' class sums."""
    bins, units = framedata.classes_and_units(block, classifier, shown)
    exact = (framedata.pack(units) if units is not None else
             framedata.encode_exact(block) if values == "exact" else b"")
    return framedata.encode_chunk(bins), exact, series.class_sums(bins)


@dataclass
class Prepared:
    """A metric ready for its chunks: its classes, each shape's count of frames with a value, how the
    tooltip's values are stored (None: not as shown), and its series' blobs."""
    classes: classify.Classes
    present: np.ndarray
    shown: framedata.Shown | None
    series: list[bytes]


def metric_meta(m: Metric, cls: classify.Classes, shown: framedata.Shown | None, values: str, per: str, chunks: int,
                groups: int, strip: list[int]) -> dict:
    """A metric's entry in the page's metadata."""
    return {"name": m.name, "label": m.label or f"{m.name} ({m.agg} per {per})", "edges": cls.edges,
            "labels": cls.labels, "colors": cls.colors, "missing": cls.missing, "chunks": chunks,
            "values": shown.meta() if shown else {"coding": "float32"} if values == "exact" else False,
            "series": groups, "strip": strip}


def encode_metrics(agg: aggregate.Aggregated, metrics: list[Metric], region_of_shape: np.ndarray, per_chunk: int,
                   *, values: str, fill: str, missing: str, per: str, written: Written | None = None) -> Encoded:
    """Every metric of `agg` encoded for the page; region_of_shape[i] is shape i's column in agg (-1: no
    data); `values` is --values (shown, exact, none); `per` the interval, for the metrics' labels."""
    take = np.maximum(region_of_shape, 0)
    nodata = region_of_shape < 0
    spans = [slice(s, s + per_chunk) for s in range(0, agg.frames, per_chunk)]

    def prepare(m: Metric) -> tuple[np.ndarray, Prepared]:
        matrix = agg.values.pop(m.name)
        if len(take) != matrix.shape[1] or (take != np.arange(len(take))).any() or nodata.any():
            matrix = matrix[:, take]  # columns in shape order
            matrix[:, nodata] = np.nan
        if fill == "forward":
            framedata.fill_forward(matrix)
        present = np.isfinite(matrix).sum(axis=0)
        cls = classify.classes_for(matrix, k=m.classes, scheme=m.scheme, cmap=m.cmap, missing=missing,
                                   user_breaks=m.breaks, log=m.log, name=m.name, center=m.center,
                                   round_edges=m.round, classify_values=False)
        overview = series.encode(series.overview(matrix))
        return matrix, Prepared(cls, present, framedata.shown(matrix, cls.edges) if values == "shown" else None,
                                overview)

    prepared: list[Prepared] = []
    jobs: list[list[Future]] = []
    done: list[list[Chunk]] = []

    def finish(k: int) -> None:
        done.append([j.result() for j in jobs[k]])
        advance(1)
        if written is not None:
            written(k, [c for c, _, _ in done[k]], [v for _, v, _ in done[k]] if values != "none" else [],
                    prepared[k].series)

    workers = os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool, progress("metrics encoded", len(metrics)) as advance:
        ahead = [pool.submit(prepare, m) for m in metrics[:workers]]
        for k in range(len(metrics)):
            matrix, ready = ahead.pop(0).result()
            classifier = classify.Classifier(ready.classes.edges)
            jobs.append([pool.submit(chunk, matrix[f], classifier, ready.shown, values) for f in spans])
            if k + workers < len(metrics):  # queued behind this metric's chunks: few matrices at once
                ahead.append(pool.submit(prepare, metrics[k + workers]))
            prepared.append(ready)
            del matrix
            if k:
                finish(k - 1)
        finish(len(metrics) - 1)

    strips = [series.strip_of(np.concatenate([t for _, _, (t, _) in metric]),
                              np.concatenate([n for _, _, (_, n) in metric]), series.frames_per_point(agg.frames))
              for metric in done]
    metas = [metric_meta(m, r.classes, r.shown, values, per, len(spans), len(r.series), strip)
             for m, r, strip in zip(metrics, prepared, strips)]
    return Encoded(metas=metas, chunks=[[c for c, _, _ in metric] for metric in done],
                   values=[[v for _, v, _ in metric] if values != "none" else [] for metric in done],
                   series=[r.series for r in prepared],
                   present=np.max([r.present for r in prepared], axis=0))
