"""Stage 3, aggregate, for in-process sources: columnar batches scattered into the dense frame × region grid.

The output has a cell for every bucket × region, so aggregation is a scatter into preallocated
accumulators (np.add.at, np.minimum.at…): no hash table and no sort. Neither the time range nor the
regions are known before the rows are read, so the accumulators are kept in tiles of 64 buckets ×
64 regions, allocated when a row first falls into one and never moved: memory is one batch plus the
tiles the data touch, however the rows are ordered. Region codes are dictionary-encoded per batch and
mapped into one growing code table, so 50,000 regions cost a lookup per distinct code per batch, not
per row.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd
import psutil
import pyarrow as pa
import pyarrow.compute as pc

from .errors import UserError, flag

SHIFT = 6  # tiles of 2**6 = 64 buckets × 64 regions
SIDE = 1 << SHIFT
TILE = SIDE * SIDE
MAX_FRAMES = 5_000_000


class Codes:
    """The data's region codes in the order first seen: a code table that grows batch by batch."""

    def __init__(self) -> None:
        self.index = pd.Index([], dtype=object)

    def of(self, column: pa.Array) -> np.ndarray:
        """Each row's region number (-1 where the region is null)."""
        encoded = column if pa.types.is_dictionary(column.type) else pc.dictionary_encode(column)
        words = encoded.dictionary
        if not pa.types.is_string(words.type) and not pa.types.is_large_string(words.type):
            words = pc.cast(words, pa.string())
        words = np.asarray(words.to_numpy(zero_copy_only=False), dtype=object)
        known = self.index.get_indexer(words)
        if (known < 0).any():
            self.index = self.index.append(pd.Index(pd.unique(words[known < 0])))
            known = self.index.get_indexer(words)
        indices = encoded.indices
        if not indices.null_count:
            rows = indices.to_numpy()
            # A file's dictionary in the table's order (Parquet's, once the first batch set the table): as it is
            return rows if np.array_equal(known, np.arange(len(known))) else known[rows]
        rows = indices.fill_null(-1).to_numpy()
        return np.where(rows >= 0, known[np.maximum(rows, 0)], -1)


class Grid:
    """Accumulators for every metric of one aggregation over bucket × region cells.

    `rows` counts each cell's rows; per metric a sum (sum, mean), a minimum or maximum, the NULLs
    (only once the metric has one: count(m) = rows - nulls) or, for the median, the values themselves
    (no streaming form exists; they take 12 bytes a row). Sums are float64, except for float32 inputs
    while no cell has a second row (then a sum is one value, exact in float32): a grid of one row per
    cell, the usual Parquet table, takes half the memory.
    """

    def __init__(self, aggs: dict[str, str]) -> None:
        self.aggs = aggs
        self.codes = Codes()
        self.used = np.zeros(0, bool)
        self.slots = np.full((0, 0), -1, dtype=np.int64)  # tile slot per (tile row - first, tile column)
        self.first = 0
        self.tiles = 0
        self.lo: int | None = None  # first and last bucket seen
        self.hi = 0
        self.rows = 0
        self.pools: dict[str, np.ndarray] = {"rows": np.zeros(0, np.int32)}  # per cell: rows, then per metric
        start = {"sum": 0.0, "mean": 0.0, "min": np.inf, "max": -np.inf}
        self.empty = {"rows": 0, **{m: start[a] for m, a in aggs.items() if a in start}}  # a cell with no row yet
        self.pools.update({m: np.zeros(0, np.float32) for m in self.empty if m != "rows"})
        self.nulls: dict[str, np.ndarray] = {}  # per cell, a metric's NULLs: once it has one
        self.single = True  # no cell has had two rows yet
        self.medians: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {m: [] for m, a in aggs.items()
                                                                          if a == "median"}
        self.sorting = threading.Lock()

    def add(self, bucket: np.ndarray, region: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Scatter one batch: each row's bucket number, region number and metric values (NaN = NULL)."""
        self.rows += len(bucket)
        if not len(bucket):
            return
        if len(self.used) < len(self.codes.index):
            self.used = np.concatenate([self.used, np.zeros(len(self.codes.index) - len(self.used), bool)])
        self.used[region] = True  # a region counts once it has a row with a time
        cell = self._cells(bucket, region)
        ones = np.ones(len(cell), np.int32)  # np.add.at is far faster with an array than with a scalar
        np.add.at(self.pools["rows"], cell, ones)
        if self.single and self.pools["rows"][cell].max() > 1:
            self.single = False
        for m, agg in self.aggs.items():
            v = values[m]
            if m in self.pools and self.pools[m].dtype == np.float32 and (
                    v.dtype != np.float32 or (agg in ("sum", "mean") and not self.single)):
                self.pools[m] = self.pools[m].astype(np.float64)
            ok = ~np.isnan(v)
            c = cell
            if not ok.all():
                nulls = self.nulls.get(m)
                if nulls is None:
                    nulls = self.nulls[m] = np.zeros(len(self.pools["rows"]), np.int32)
                np.add.at(nulls, cell[~ok], ones[~ok])
                c, v = cell[ok], v[ok]
            if agg in ("sum", "mean", "min", "max") and self.single:  # every cell's first row: a plain store
                self.pools[m][c] = v
            elif agg in ("sum", "mean"):
                np.add.at(self.pools[m], c, v)
            elif agg in ("min", "max"):
                (np.minimum if agg == "min" else np.maximum).at(self.pools[m], c, v)
            elif agg == "median":
                # cell numbers in 4 bytes while they fit: 12 bytes a row kept instead of 16
                self.medians[m].append((c.astype(np.int32) if self.tiles * TILE < 2**31 else c, v))

    def _cells(self, bucket: np.ndarray, region: np.ndarray) -> np.ndarray:
        """Each row's index into the pools, allocating the tiles first touched."""
        lo, hi = int(bucket.min()), int(bucket.max())
        self.lo, self.hi = (lo, hi) if self.lo is None else (min(self.lo, lo), max(self.hi, hi))
        check_frames(self.hi - self.lo + 1)
        # int32 from here (buckets lie within MAX_FRAMES of the first batch's): half the bytes per pass
        bucket, region = bucket.astype(np.int32), region.astype(np.int32, copy=False)
        key, col = bucket >> SHIFT, region >> SHIFT
        self._cover(lo >> SHIFT, hi >> SHIFT, int(col.max()) + 1)
        key -= self.first
        key *= self.slots.shape[1]
        key += col
        flat = self.slots.reshape(-1)
        slot = np.take(flat, key)
        if (slot < 0).any():
            missing = key[slot < 0]
            low = int(missing.min())
            new = np.flatnonzero(np.bincount(missing - low)) + low  # few distinct tiles: no sort
            flat[new] = np.arange(self.tiles, self.tiles + len(new))
            self._grow(self.tiles + len(new))
            slot = np.take(flat, key)
        inner = bucket & (SIDE - 1)
        inner <<= SHIFT
        inner |= region & (SIDE - 1)
        cell = slot * TILE
        cell += inner
        return cell

    def widen(self, lo: int | None, hi: int | None) -> None:
        """Make buckets lo…hi the first and last (None: as the rows have them), however few rows they hold."""
        assert self.lo is not None
        self.lo, self.hi = (self.lo if lo is None else lo), (self.hi if hi is None else hi)
        check_frames(self.hi - self.lo + 1)
        self._cover(self.lo >> SHIFT, self.hi >> SHIFT, self.slots.shape[1])

    def _cover(self, first: int, last: int, columns: int) -> None:
        """Widen the tile table to tile rows first…last and `columns` tile columns."""
        rows, cols = self.slots.shape
        if rows and first >= self.first and last < self.first + rows and columns <= cols:
            return
        start = min(first, self.first) if rows else first
        end = max(last + 1, self.first + rows) if rows else last + 1
        table = np.full((end - start, max(columns, cols, 1)), -1, dtype=np.int64)
        table[self.first - start:self.first - start + rows, :cols] = self.slots
        self.slots, self.first = table, start

    def _grow(self, tiles: int) -> None:
        """Room for `tiles` tiles in every pool; in place where the allocator can (no copy, no second grid)."""
        self.tiles = tiles
        size = tiles * TILE
        if size <= len(self.pools["rows"]):
            return
        size = max(size, len(self.pools["rows"]) * 33 // 32)  # realloc is cheap; slack is resident memory
        check_memory(size * 8 * (len(self.pools) + len(self.nulls)), "the frame × region grid")
        pools = [(p, self.empty[m]) for m, p in self.pools.items()] + [(n, 0) for n in self.nulls.values()]
        for pool, empty in pools:
            old = len(pool)
            pool.resize(size, refcheck=False)  # realloc: grows the mapping where it can; new cells are 0
            if empty:
                pool[old:] = empty

    def _order(self) -> np.ndarray:
        """The region numbers with rows, in the order of their sorted codes (the output's columns)."""
        numbers = np.flatnonzero(self.used)
        names = np.asarray([str(r) for r in self.codes.index[numbers]], dtype=object)
        return numbers[np.argsort(names, kind="stable")]

    def regions(self) -> list[str]:
        return [str(self.codes.index[r]) for r in self._order()]

    def result(self) -> Matrices:
        """float32 [buckets lo…hi × regions, sorted] per metric, NaN where a cell has no value, each
        made when first asked for (see Matrices)."""
        return Matrices(self, self._order())  # output column j holds region number order[j]

    def filled(self) -> int:
        """Cells with at least one row."""
        return int(np.count_nonzero(self.pools["rows"][:self.tiles * TILE]))

    def _matrix(self, m: str, agg: str, order: np.ndarray) -> np.ndarray:
        """The final value of every cell in pool layout, then the tiles laid into the frame × region
        grid a row of tiles at a time and its columns put in the regions' order."""
        assert self.lo is not None
        used = self.tiles * TILE
        rows = self.pools["rows"][:used]
        nulls = self.nulls.pop(m, None)
        n = rows - nulls[:used] if nulls is not None else rows
        if agg == "count":
            v = np.where(rows > 0, n, np.nan).astype(np.float32)
        else:
            v = self._median(m) if agg == "median" else self.pools.pop(m)[:used]
            if agg in ("sum", "mean"):  # a sum starts at +0.0, as SQL's: a cell's lone -0.0, stored as it is, is 0.0
                v += 0.0
            if agg == "mean":
                np.divide(v, np.maximum(n, 1), out=v)
            v[n == 0] = np.nan
            v = v.astype(np.float32, copy=False)
        del n, nulls
        tile_rows, tile_cols = self.slots.shape
        if self.slots.size == self.tiles and (self.slots.reshape(-1) == np.arange(self.tiles)).all():
            # Every tile, allocated row by row (rows in time order): each row of tiles transposed where it
            # lies, through a copy that stays in the cache. No second matrix: memory touched for the first
            # time is what costs here, and the peak holds one matrix less.
            tiles, into = v.reshape(tile_rows, tile_cols, SIDE, SIDE), v.reshape(tile_rows, SIDE, tile_cols, SIDE)
            row = np.empty((tile_cols, SIDE, SIDE), dtype=np.float32)
            for r in range(tile_rows):
                row[...] = tiles[r]
                into[r] = row.transpose(1, 0, 2)
            grid = v.reshape(tile_rows * SIDE, tile_cols * SIDE)
        else:
            grid = np.full((tile_rows * SIDE, tile_cols * SIDE), np.nan, dtype=np.float32)
            pool, view = v.reshape(-1, SIDE, SIDE), grid.reshape(tile_rows, SIDE, tile_cols, SIDE)
            for r, slots in enumerate(self.slots):  # a row of tiles at a time: no copy of them all
                cols = np.flatnonzero(slots >= 0)
                view[r][:, cols, :] = pool[slots[cols]].transpose(1, 0, 2)
        del v
        first = self.lo - self.first * SIDE
        rows = grid[first:first + self.hi - self.lo + 1]
        if np.array_equal(order, np.arange(len(order))):  # regions first seen in their order (a sorted file)
            return rows[:, :len(order)]  # a view: no second matrix
        return np.take(rows, order, axis=1)

    def _median(self, m: str) -> np.ndarray:
        """Each cell's median, in pool layout (NaN where none). The rows grouped by cell with a stable sort
        of the cell numbers (nearly in order already: far cheaper than sorting by cell and value);
        only the cells of more than two rows then have their values sorted. One metric's sort at a time:
        each takes ~30 bytes a row while it runs."""
        with self.sorting:
            parts = self.medians.pop(m)
            out = np.full(self.tiles * TILE, np.nan)
            cell = np.concatenate([c for c, _ in parts] + [np.zeros(0, np.int32)])
            v = np.concatenate([v for _, v in parts] + [np.zeros(0)]).astype(np.float64, copy=False)
            del parts
            if len(cell):
                order = np.argsort(cell, kind="stable")
                cell, v = cell[order], v[order]
                del order
                first = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
                n = np.diff(np.r_[first, len(cell)])
                if (n > 2).any():
                    rows = np.repeat(n > 2, n)
                    v[rows] = v[rows][np.lexsort((v[rows], cell[rows]))]
                out[cell[first]] = (v[first + (n - 1) // 2] + v[first + n // 2]) / 2
            return out


class Matrices(Mapping):
    """The metrics' matrices, each made from its pool when first asked for: the consumer makes them on
    its own threads, side by side, and `pop` frees each pool as its matrix is made, so memory holds the
    pools still untouched plus the matrices in use."""

    def __init__(self, grid: Grid, order: np.ndarray) -> None:
        self.grid, self.order = grid, order
        self.made: dict[str, np.ndarray] = {}
        self.lock = threading.Lock()

    def __getitem__(self, m: str) -> np.ndarray:
        with self.lock:
            if m not in self.made:
                self.made[m] = self.pop(m)
            return self.made[m]

    def pop(self, m: str) -> np.ndarray:
        """The matrix, made now (once per metric) and not kept here."""
        if m in self.made:
            return self.made.pop(m)
        return self.grid._matrix(m, self.grid.aggs[m], self.order)

    def __iter__(self) -> Iterator[str]:
        return iter(self.grid.aggs)

    def __len__(self) -> int:
        return len(self.grid.aggs)


def check_frames(frames: int) -> None:
    """Refuse more frames than a page can hold, in any aggregation path."""
    if frames > MAX_FRAMES:
        raise UserError(f"{frames:,} frames is more than {MAX_FRAMES:,}; use a longer {flag('interval')} or a "
                        f"shorter time range ({flag('from_')} … {flag('to')})")


class TooBig(UserError):
    """A grid that would not fit in memory (a build into a folder streams instead, where its source can)."""

    def __init__(self, message: str, need: int) -> None:
        super().__init__(message)
        self.need = need


def check_memory(need: int, what: str) -> None:
    """Refuse, with the estimate, a build whose `what` would need more than 80 % of the memory available."""
    avail = available_memory()
    if need > avail * 0.8:
        raise TooBig(f"{what} needs about {need / 2**30:.1f} GiB of memory, {avail / 2**30:.1f} GiB is "
                     f"available; use a longer {flag('interval')}, fewer {flag('metrics')} or a smaller time range",
                     need)


def available_memory() -> int:
    """Bytes a build can have: free memory plus the page cache the kernel gives back on demand
    (Linux's MemAvailable), not free pages alone, which after reading a big file leave the cache out."""
    return int(psutil.virtual_memory().available)
