"""Stage 3, aggregate, streamed: the aggregated frame × region grid kept on disk, a window of buckets
at a time, and read back a block of frames at a time by the streamed encoding (streamed.py).

Each window of `window` buckets is written as it completes, one raw float32 file per metric, its
columns the region numbers known when it was written (later windows may have more); a read takes
any run of buckets across windows, the columns in the order asked for, NaN where a window has none.
Memory holds a window being aggregated and a block being encoded, never the grid.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


class Spill:
    """Windows of aggregated buckets, on disk in `folder` (the caller's temporary folder)."""

    def __init__(self, folder: Path, window: int) -> None:
        self.folder, self.window = folder, window
        self.widths: dict[tuple[int, int], int] = {}  # (window, metric) -> columns stored

    def path(self, w: int, m: int) -> Path:
        return self.folder / f"{w}-{m}.f32"

    def put(self, w: int, m: int, block: np.ndarray) -> None:
        """Window w of metric m: float32 [window buckets × columns]."""
        assert block.shape[0] == self.window
        np.ascontiguousarray(block, dtype=np.float32).tofile(self.path(w, m))
        self.widths[w, m] = block.shape[1]

    def clear(self) -> None:
        for w, m in self.widths:
            self.path(w, m).unlink(missing_ok=True)
        self.widths.clear()

    def rows(self, m: int, b0: int, b1: int, columns: np.ndarray) -> np.ndarray:
        """Buckets b0 … b1 - 1 of metric m, the stored columns `columns` in that order: float32 [b1 - b0 ×
        len(columns)], NaN where nothing was stored."""
        out = np.full((b1 - b0, len(columns)), np.nan, dtype=np.float32)
        size = self.window
        for w in range(b0 // size, (b1 - 1) // size + 1):
            width = self.widths.get((w, m))
            if width is None:
                continue
            lo, hi = max(b0, w * size), min(b1, (w + 1) * size)
            block = np.fromfile(self.path(w, m), dtype=np.float32, count=(hi - lo) * width,
                                offset=(lo - w * size) * width * 4).reshape(hi - lo, width)
            have = columns < width
            if not have.all():  # regions first seen after this window was written
                out[lo - b0:hi - b0, have] = block[:, columns[have]]
            elif np.array_equal(columns, np.arange(width)):
                out[lo - b0:hi - b0] = block
            else:  # gathered straight into place
                np.take(block, columns, axis=1, out=out[lo - b0:hi - b0])
        return out


@dataclass
class Stored:
    """An aggregation kept in a Spill: frames 0 … of the map are buckets `first` …, its regions the
    stored columns `columns` (the regions' order of Aggregated.regions)."""
    spill: Spill
    metrics: list[str]
    first: int
    columns: np.ndarray

    def read(self, metric: str, f0: int, f1: int, take: np.ndarray | None = None) -> np.ndarray:
        """float32 [frames f0 … f1 - 1 × regions], NaN where a region has no value; given `take`, the
        regions take[0], take[1]… (one gather from the stored columns, not two)."""
        columns = self.columns if take is None else self.columns[take]
        return self.spill.rows(self.metrics.index(metric), self.first + f0, self.first + f1, columns)
