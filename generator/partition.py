"""Stage 3, aggregate, streamed (called by windowed.py): rows in no time order partitioned by window of
buckets first, then read back a window at a time.

Each batch's rows are split by the window their bucket falls in and appended to that window's Arrow
IPC stream files in the caller's temporary folder, in the order they came (a cell's rows keep their
order, so its sums add up as in memory). Reading the windows in order then hands windows.py rows in
time order, each window whole.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import scan
from .intervals import Interval, origin
from .source import Source
from .window import Window

OPEN_FILES = 128  # windows written to at once; a window written to again after it gets another file


class Partitioned:
    """The rows of `source` split into windows of `size` buckets (bucket 0 starts at `first`)."""

    def __init__(self, source: Source, interval: Interval, tz: str | None, span: Window | None, folder: Path,
                 first: int | None, cells: int, columns: list[str]) -> None:
        self.source, self.interval, self.tz, self.span = source, interval, tz, span
        self.folder = folder / "rows"
        self.folder.mkdir(exist_ok=True)
        self.first, self.cells, self.columns = first, cells, columns
        self.size = 0
        self.lo: int | None = None  # the least time, in the interval's unit
        self.files: dict[int, list[Path]] = {}

    def write(self) -> None:
        from .aggregate import _ahead, _units  # the in-process path's helpers

        src, span = self.source, self.span
        assert src.batches is not None
        bounds = scan.Bounds(span.lo, span.hi, src.time_kind) if span else None
        writers: OrderedDict[int, pa.ipc.RecordBatchStreamWriter] = OrderedDict()
        try:
            for batch in _ahead(src.batches(self.columns, None, bounds)):
                t = scan.epoch(batch.column(1), src.time_kind)
                ok = np.isfinite(t) & pc.is_valid(batch.column(0)).to_numpy(zero_copy_only=False)
                if span:
                    ok &= (t >= span.lo) & (t < span.hi)
                if not ok.any():
                    continue
                if not ok.all():
                    batch, t = batch.filter(pa.array(ok)), t[ok]
                units = _units(t.astype(np.int64), src, self.interval.unit, self.tz)
                self.lo = int(units.min()) if self.lo is None else min(self.lo, int(units.min()))
                if self.first is None:
                    self.first = origin(self.interval, self.tz, self.lo)
                if not self.size:  # as windows.Windows sizes its grids: by the first rows' regions
                    regions = len(pc.unique(batch.column(0)))
                    self.size = max(64, self.cells // max(regions, 1) // 64 * 64)
                window = (units - self.first) // self.interval.n // self.size
                for w in np.unique(window).tolist():
                    part = batch if len(np.unique(window)) == 1 else batch.filter(pa.array(window == w))
                    self._writer(writers, w, part.schema).write_batch(part)
        finally:
            for writer in writers.values():
                writer.close()

    def _writer(self, writers: OrderedDict[int, pa.ipc.RecordBatchStreamWriter], w: int,
                schema: pa.Schema) -> pa.ipc.RecordBatchStreamWriter:
        if w in writers:
            writers.move_to_end(w)
            return writers[w]
        if len(writers) >= OPEN_FILES:
            writers.popitem(last=False)[1].close()
        files = self.files.setdefault(w, [])
        files.append(self.folder / f"{w}-{len(files)}.arrows")
        writers[w] = pa.ipc.new_stream(files[-1], schema)
        return writers[w]

    def items(self) -> Iterator[tuple[pa.RecordBatch, int]]:
        """Each window's batches in order, with the first bucket of their window: every window before it is whole."""
        for w in sorted(self.files):
            for path in self.files.pop(w):
                with pa.OSFile(str(path)) as f:
                    for batch in pa.ipc.open_stream(f):
                        yield batch, w * self.size
                path.unlink()
