"""Stage 3, aggregate, streamed, for databases (called by pushdown.py): the GROUP BY's rows ordered by
bucket, gathered a window of buckets at a time and written to a Spill as each window completes.

Medians come as the bucketed rows themselves, also ordered by bucket: each window's cells have all
their rows, so the window's median per cell is exact, as the in-memory path's.
"""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from . import transfer
from .spill import Spill, Stored

WINDOW_CELLS = 1 << 22  # bucket × region cells of one window


class Gatherer:
    """One statement's outputs, a window of buckets at a time, written to the Spill as each completes."""

    def __init__(self, spill: Spill, names: list[str], outputs: list[str], regions: int, median: bool) -> None:
        self.spill, self.names, self.outputs, self.median = spill, names, outputs, median
        self.block = np.full((len(names), spill.window, regions), np.nan, dtype=np.float32)
        self.parts: list[pd.DataFrame] = []
        self.window: int | None = None
        self.filled = 0  # cells with a value of the first output

    def add(self, w: int, at: np.ndarray, r: np.ndarray, cells: np.ndarray) -> None:
        if w != self.window:
            self.flush()
            self.window = w
        if self.median:
            self.parts.append(pd.DataFrame(cells, columns=self.names).assign(**{"\0b": at, "\0r": r}))
        else:
            self.block[:, at, r] = cells.T

    def flush(self) -> None:
        if self.window is None:
            return
        if self.parts:
            med = pd.concat(self.parts).groupby(["\0b", "\0r"]).median()
            b, r = med.index.get_level_values(0), med.index.get_level_values(1)
            for i, o in enumerate(self.names):
                self.block[i, b, r] = med[o].to_numpy()
            self.parts.clear()
        for i, o in enumerate(self.names):
            if o == self.outputs[0]:
                self.filled += int(np.isfinite(self.block[i]).sum())
            self.spill.put(self.window, self.outputs.index(o), self.block[i])
        self.block.fill(np.nan)


def spill_rows(conn: sa.Connection, stmts: list[tuple[list[str], sa.Select]], outputs: list[str],
               column_of: dict, medians: set[str], folder: Path) -> tuple[Stored, int, int]:
    """Run each statement (its output names; its rows: bucket, region, values…, a row count; the rows
    themselves for the outputs in `medians`) ordered by bucket into windows of a Spill in `folder`;
    returns the Stored grid, the raw rows and the cells with a value of the first output."""
    size = max(64, WINDOW_CELLS // max(len(column_of), 1) // 64 * 64)
    spill = Spill(folder, size)
    raw_rows = filled = 0
    for k, (names, stmt) in enumerate(stmts):
        gather = Gatherer(spill, names, outputs, len(column_of), bool(medians) and set(names) <= medians)
        for part in transfer.parts(conn, stmt.order_by(sa.literal_column("bucket")), column_of):
            if k == 0:  # each statement sees every row: count them once
                raw_rows += int(part.rows.sum())
            b = part.buckets
            w = b // size
            for s, e in itertools.pairwise(np.flatnonzero(np.r_[True, w[1:] != w[:-1], True]).tolist()):
                gather.add(int(w[s]), b[s:e] - int(w[s]) * size, part.columns[s:e], part.cells[s:e])
        gather.flush()
        filled += gather.filled
    return Stored(spill, outputs, 0, np.arange(len(column_of))), raw_rows, filled
