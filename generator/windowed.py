"""Stage 3, aggregate, streamed, for Parquet files: the rows scattered into a window of buckets at a
time (a Grid per window), each window written to a Spill once no row can still fall into it.

Which rows can still come is known from the row groups' statistics: after the rows of row group g,
every row left holds a time at or after the least minimum of the groups from g on. A file sorted by
time, or nearly (rows shuffled within days), closes its windows as it is read; a file whose groups
each span the whole range cannot, and is aggregated in memory (aggregate.py). Every cell is one
bucket × region, and a window holds whole buckets, so each cell sees all its rows in one Grid: sums,
means and medians are those of the in-memory grid.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from . import partition, scan
from .errors import UserError
from .grid import MAX_FRAMES, Codes, Grid
from .intervals import Aggregated, Interval, origin
from .source import Source
from .spill import Spill, Stored
from .window import Window

# Builds of at least this many frame × region × metric cells stream (an estimate, before reading:
# Parquet's rows); tests lower it to stream small grids.
STREAM_CELLS = 1 << 26
WINDOW_CELLS = 1 << 22  # bucket × region cells of one window's grid


def floors(path: Path, time: str, kind: str, bounds: scan.Bounds | None) -> list[tuple[int, float]] | None:
    """The row groups to read, each with the least time of it and every group after it (epoch
    seconds, years for years); None when the statistics cannot tell (no statistics, text times) or
    the groups are too little in order for windows to close as they are read."""
    f = pq.ParquetFile(path)
    field = f.schema_arrow.field(time)
    if not (pa.types.is_integer(field.type) or pa.types.is_floating(field.type) or pa.types.is_timestamp(field.type)
            or pa.types.is_date(field.type)):
        return None
    leaf = [f.schema.column(i).path for i in range(len(f.schema))].index(time)
    groups = list(range(f.metadata.num_row_groups))
    if bounds is not None:
        groups = scan._row_groups(f, time, bounds)
    ranges = []
    for g in groups:
        stats = f.metadata.row_group(g).column(leaf).statistics
        if stats is None or not stats.has_min_max:
            return None
        lo, hi = scan.epoch(pa.array([stats.min, stats.max], type=field.type), kind)
        ranges.append((float(lo), float(hi)))
    if not ranges:
        return None
    least = np.minimum.accumulate([lo for lo, _ in ranges][::-1])[::-1]
    seen = np.maximum.accumulate([hi for _, hi in ranges])
    whole = seen[-1] - least[0]
    if whole > 0 and float((seen - least).max()) > whole / 4:  # windows would stay open over most of the range
        return None
    return list(zip(groups, least.tolist()))


def streams(source: Source, metrics: int) -> bool:
    """Whether this source is best streamed: a Parquet file of at least STREAM_CELLS rows × metrics,
    or any other in-process source once STREAM_CELLS is lowered to 0 (their size is not known before
    reading them all; tests stream them)."""
    if source.parquet is None:
        return STREAM_CELLS == 0
    return pq.ParquetFile(source.parquet).metadata.num_rows * metrics >= STREAM_CELLS


def _batches(path: Path, columns: list[str], groups: list[tuple[int, float]]) -> Iterator[tuple[pa.RecordBatch, float]]:
    """Each batch of the groups, with the least time any row from it on can have."""
    strings = [c for c in columns[:1] if pa.types.is_string(pq.read_schema(path).field(c).type)]
    f = pq.ParquetFile(path, read_dictionary=strings, pre_buffer=False)
    for g, floor in groups:
        for batch in f.iter_batches(batch_size=scan.BATCH_ROWS, columns=columns, row_groups=[g]):
            yield scan.plain(batch), floor


class Windows:
    """Grids of `size` buckets each (their region codes shared), each written to a Spill once closed."""

    def __init__(self, aggs: dict[str, str], folder: Path) -> None:
        self.aggs, self.folder = aggs, folder
        self.codes, self.used = Codes(), np.zeros(0, bool)
        self.grids: dict[int, Grid] = {}
        self.spill: Spill | None = None
        self.rows = self.filled = 0
        self.blo: int | None = None
        self.bhi = 0

    def size(self) -> int:
        """Buckets per window: a grid of about WINDOW_CELLS, in whole tiles, fixed by the first rows' regions."""
        if self.spill is None:
            self.spill = Spill(self.folder, max(64, WINDOW_CELLS // max(len(self.codes.index), 1) // 64 * 64))
        return self.spill.window

    def add(self, bucket: np.ndarray, region: np.ndarray, values: dict[str, np.ndarray]) -> None:
        size = self.size()
        b0, b1 = int(bucket.min()), int(bucket.max())
        self.blo, self.bhi = (b0, b1) if self.blo is None else (min(self.blo, b0), max(self.bhi, b1))
        if self.bhi - self.blo >= MAX_FRAMES:
            raise UserError(f"{self.bhi - self.blo + 1:,} frames is more than {MAX_FRAMES:,}; use a longer "
                            "--interval or a shorter time range")
        window = bucket // size
        for w in range(b0 // size, b1 // size + 1):
            mine = window == w
            if not mine.any():
                continue
            if w not in self.grids:
                self.grids[w] = Grid(self.aggs)
                self.grids[w].codes = self.codes
            self.grids[w].add(bucket[mine] - w * size, region[mine], {m: v[mine] for m, v in values.items()})

    def close_below(self, bucket: float) -> None:
        """Write the windows that end at or before `bucket` (none can receive rows any more)."""
        for w in sorted(self.grids):
            if (w + 1) * self.size() <= bucket:
                self.close(w)

    def close(self, w: int) -> None:
        assert self.spill is not None
        g = self.grids.pop(w)
        g.widen(0, self.spill.window - 1)
        self.rows += g.rows
        self.filled += g.filled()
        if len(self.used) < len(g.used):
            self.used = np.concatenate([self.used, np.zeros(len(g.used) - len(self.used), bool)])
        self.used[:len(g.used)] |= g.used
        width = min(len(self.codes.index), g.slots.shape[1] << 6)
        for i, m in enumerate(self.aggs):
            self.spill.put(w, i, g._matrix(m, self.aggs[m], np.arange(width)))

    def order(self) -> np.ndarray:
        """The region numbers with rows, in the order of their sorted codes (as Grid._order)."""
        numbers = np.flatnonzero(self.used)
        labels = np.asarray([str(r) for r in self.codes.index[numbers]], dtype=object)
        return numbers[np.argsort(labels, kind="stable")]


def in_windows(source: Source, interval: Interval, aggs: dict[str, str], tz: str | None, span: Window | None,
               folder: Path) -> Aggregated:
    """aggregate._in_process, a window of buckets at a time into a Spill in `folder`: a Parquet file in
    time order as it is read, any other source's rows partitioned by window first (partition.py)."""
    from .aggregate import _ahead, _units, rows_of  # the in-process path's helpers (aggregate.py imports this module)

    first: int | None = span.base if span else None
    bounds = scan.Bounds(span.lo, span.hi, source.time_kind) if span else None
    groups = floors(source.parquet, source.time, source.time_kind, bounds) if source.parquet else None
    columns = [source.region, source.time, *aggs]
    while True:
        windows = Windows(aggs, folder)
        lo = None
        items: Iterator[tuple[pa.RecordBatch, float]]
        if groups is not None:
            assert source.parquet is not None
            items = _ahead([(x for x in _batches(source.parquet, columns, groups))])
            ordered = True
        elif source.in_order is not None:
            items, ordered = _ahead([(x for x in source.in_order(columns, bounds))]), True
        else:  # partitioned first: each window's rows, with the first bucket of their window
            parts = partition.Partitioned(source, interval, tz, span, folder, first, WINDOW_CELLS, columns)
            parts.write()
            if parts.first is None:
                raise UserError("the source returned no rows with a time and a region"
                                f"{' from --from to --to' if span else ''}; check the query or table")
            first = parts.first
            windows.spill = Spill(folder, parts.size)
            items, ordered = ((b, float(w)) for b, w in parts.items()), False
        for batch, floor in items:
            t, region, values = rows_of(batch, source, windows.codes, span, list(aggs), interval, tz)
            if len(t):
                lo = int(t.min()) if lo is None else min(lo, int(t.min()))
                if first is None:
                    first = origin(interval, tz, lo)
                windows.add((t - first) // interval.n, region, values)
            if windows.spill is not None and first is not None and np.isfinite(floor):
                below = floor if not ordered else (_units(np.array([int(floor)]), source, interval.unit, tz)[0]
                                                   - first) // interval.n
                windows.close_below(below)
        windows.close_below(np.inf)
        if lo is None or windows.spill is None:
            raise UserError("the source returned no rows with a time and a region"
                            f"{' from --from to --to' if span else ''}; check the query or table")
        if span or origin(interval, tz, lo) == first:
            break
        first = origin(interval, tz, lo)  # the rare mismatch (unsorted rows across a DST change): again
        windows.spill.clear()
    assert windows.blo is not None and first is not None
    blo, bhi = windows.blo, windows.bhi
    if span:  # the frames run from the bucket holding --from to the one holding --to
        blo = (span.first - first) // interval.n if span.first is not None else blo
        bhi = (span.last - first) // interval.n if span.last is not None else bhi
        if bhi - blo >= MAX_FRAMES:
            raise UserError(f"{bhi - blo + 1:,} frames is more than {MAX_FRAMES:,}; use a longer --interval "
                            "or a shorter --from … --to")
    order = windows.order()
    return Aggregated(start=first + blo * interval.n, step=interval.n, frames=bhi - blo + 1,
                      regions=[str(windows.codes.index[r]) for r in order], values={}, rows=windows.rows,
                      unit=interval.unit, filled=windows.filled, stored=Stored(windows.spill, list(aggs), blo, order))
