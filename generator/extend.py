"""Stage 5, encode, for --append (append.py): a map's whole grid encoded as encoding.encode_metrics does,
the chunks before `keep_before` frames taken from the previous build where its classes and value coding
are those the whole grid gives; every blob the same bytes a clean build writes."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import aggregate, classify, framedata, series
from .options import Metric


@dataclass
class Extended:
    metas: list[dict]  # per metric, as encoding.Encoded.metas
    files: list[list[tuple[str, bytes | None]]]  # per metric: (stem, blob), or (stem, None): the previous build's file
    digests: list[list[list[str]]]  # classes, values, series: per metric, each blob's SHA-256 (builds.digests)
    present: np.ndarray  # per shape: the most frames in which a metric has a value
    kept: list[bool]  # per metric: its classes and value coding are the previous build's


def encode(agg: aggregate.Aggregated, metrics: list[Metric], region_of_shape: np.ndarray, per_chunk: int, *,
           values: str, fill: str, missing: str, old_meta: dict, old_digests: list) -> Extended:
    import hashlib

    take, nodata = np.maximum(region_of_shape, 0), region_of_shape < 0
    frames, old_frames = agg.frames, old_meta["frames"]
    step, old_step = series.frames_per_point(frames), old_meta["series"]["step"]
    metas, files, present, kept = [], [], [], []
    digests: list[list[list[str]]] = [[], [], []]
    for k, m in enumerate(metrics):
        matrix = agg.values[m.name]
        if len(take) != matrix.shape[1] or (take != np.arange(len(take))).any() or nodata.any():
            matrix = matrix[:, take]
            matrix[:, nodata] = np.nan
        elif fill == "forward":
            matrix = np.array(matrix)
        if fill == "forward":
            framedata.fill_forward(matrix)
        cls = classify.classes_for(matrix, k=m.classes, scheme=m.scheme, cmap=m.cmap, missing=missing,
                                   user_breaks=m.breaks, log=m.log, name=m.name, center=m.center,
                                   round_edges=m.round, classify_values=False)
        shown = framedata.shown(matrix, cls.edges) if values == "shown" else None
        coding = shown.meta() if shown else {"coding": "float32"} if values == "exact" else False
        om = old_meta["metrics"][k]
        same = (om["name"] == m.name and [float(e) for e in cls.edges] == om["edges"] and cls.colors == om["colors"]
                and coding == om["values"] and per_chunk == old_meta["chunkFrames"])
        kept.append(same)
        first = (old_frames - 1) // per_chunk if same else 0  # the first chunk encoded anew
        classifier = classify.Classifier(cls.edges)
        chunk_files: list[tuple[str, bytes | None]] = [(str(c), None) for c in range(first)]
        value_files: list[tuple[str, bytes | None]] = \
            [(f"v{c}", None) for c in range(first)] if values != "none" else []
        class_digests = list(old_digests[0][k][:first])
        value_digests = list(old_digests[1][k][:first]) if values != "none" else []
        # The scrubber's strip: spans of `step` frames; those wholly before the new chunks are the old ones.
        from_span = min(first * per_chunk // step, len(om["strip"])) if same and step == old_step else 0
        totals, counts = [], []
        if from_span * step < first * per_chunk:  # frames before the new chunks in a span that changes
            bins = classifier(matrix[from_span * step:first * per_chunk])
            t, n = series.class_sums(bins)
            totals.append(t)
            counts.append(n)
        for s in range(first * per_chunk, frames, per_chunk):
            block = matrix[s:s + per_chunk]
            bins, units = framedata.classes_and_units(block, classifier, shown)
            exact = (framedata.pack(units) if units is not None else
                     framedata.encode_exact(block) if values == "exact" else b"")
            blob = framedata.encode_chunk(bins)
            chunk_files.append((str(s // per_chunk), blob))
            class_digests.append(hashlib.sha256(blob).hexdigest())
            if values != "none":
                value_files.append((f"v{s // per_chunk}", exact))
                value_digests.append(hashlib.sha256(exact).hexdigest())
            t, n = series.class_sums(bins)
            totals.append(t)
            counts.append(n)
        strip = om["strip"][:from_span] + series.strip_of(np.concatenate(totals), np.concatenate(counts), step)
        overview = series.encode(series.overview(matrix))
        files.append(chunk_files + value_files + [(f"s{g}", b) for g, b in enumerate(overview)])
        digests[0].append(class_digests)
        digests[1].append(value_digests)
        digests[2].append([hashlib.sha256(b).hexdigest() for b in overview])
        present.append(np.isfinite(matrix).sum(axis=0))
        metas.append({"name": m.name, "label": om["label"], "edges": cls.edges, "labels": cls.labels,
                      "colors": cls.colors, "missing": cls.missing, "chunks": -(-frames // per_chunk),
                      "values": coding, "series": len(overview), "strip": strip})
    return Extended(metas, files, digests, np.max(present, axis=0), kept)
