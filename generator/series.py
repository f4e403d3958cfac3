"""Stage 5, encode (called by encoding.py): each region's series over all frames, for the page's
charts (the tooltip's sparkline, the pinned regions' panel), and the scrubber's overview strip.

Up to MAX_POINTS frames a series is the frames' values themselves. Beyond, the frames are taken in
spans of `step` and each point keeps the min, the mean and the max of its span, so a spike in one
frame is never lost. Points are float32 in files of up to GROUP regions each, loaded when a chart
first needs them: [values] or [min, mean, max] × regions × points, each point XORed with the one
before (a smooth series turns into zero bits), the bytes split into planes and deflated, as
framedata.encode_values does with frames.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from . import framedata
from .classify import NO_DATA

MAX_POINTS = 1000
GROUP = 64  # regions per file: a hovered region loads its group, not the whole map
BLOCK_CELLS = 1 << 22  # frames × regions reduced at a time: memory stays bounded at any size


def frames_per_point(frames: int) -> int:
    """Frames per point: 1 up to MAX_POINTS frames, else the fewest that keep the points within it."""
    return max(1, -(-frames // MAX_POINTS))


@dataclass
class Series:
    """A map's series for one metric: `step` frames per point, [points × regions] float32 each
    (NaN where the span has no data). With step 1, low, mean and high are the same array."""
    step: int
    low: np.ndarray
    mean: np.ndarray
    high: np.ndarray


def _spans(values: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Min, mean and max of the finite values of each span of `step` rows (NaN: none)."""
    if values.shape[0] % step == 0 and not np.isinf(values).any():
        # Whole spans and NaN the only gap (the usual grid): the k-th rows of every span at once, no copy of them
        low, high = values[::step].copy(), values[::step].copy()
        gaps = bool(np.isnan(values).any())
        count: np.ndarray | int = np.zeros(low.shape, np.int32) if gaps else step
        total = np.zeros(low.shape, np.float64)
        for k in range(step):
            rows = values[k::step]
            np.fmin(low, rows, out=low)  # fmin and fmax skip NaN
            np.fmax(high, rows, out=high)
            if gaps:
                known = ~np.isnan(rows)
                count += known
                np.add(total, rows, out=total, where=known)
            else:
                total += rows
    else:
        starts = np.arange(0, values.shape[0], step)
        known = np.isfinite(values)
        clean = np.where(known, values, np.nan)
        low, high = np.fmin.reduceat(clean, starts, axis=0), np.fmax.reduceat(clean, starts, axis=0)
        total = np.add.reduceat(np.where(known, values, 0.0), starts, axis=0, dtype=np.float64)
        count = np.add.reduceat(known, starts, axis=0, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / count  # 0 / 0 -> NaN: a span without data
    return low, mean, high


def overview(values: np.ndarray) -> Series:
    """The series of every region (column) of a [frames × regions] float matrix (NaN: no data)."""
    frames, regions = values.shape
    step = frames_per_point(frames)
    if step == 1:
        v = values.astype(np.float32)
        return Series(1, v, v, v)
    rows = max(step, BLOCK_CELLS // max(regions, 1) // step * step)  # whole spans per block
    points = -(-frames // step)
    low, mean, high = (np.empty((points, regions), np.float32) for _ in range(3))
    for s in range(0, frames, rows):
        at = slice(s // step, s // step + -(-min(rows, frames - s) // step))
        low[at], mean[at], high[at] = _spans(values[s:s + rows], step)
    return Series(step, low, mean, high)


def encode(s: Series, group: int = GROUP) -> list[bytes]:
    """One deflated blob per GROUP regions (see the module's docstring)."""
    arrays = [s.mean] if s.step == 1 else [s.low, s.mean, s.high]
    out = []
    for g in range(0, s.mean.shape[1], group):
        block = np.stack([a[:, g:g + group].T for a in arrays])  # [arrays × regions × points]
        bits = np.ascontiguousarray(block, dtype="<f4").view("<u4")
        x = bits.copy()
        x[..., 1:] ^= bits[..., :-1]
        planes = x.reshape(-1).view(np.uint8).reshape(-1, 4).T
        out.append(_deflate(planes))
    return out


def _deflate(planes: np.ndarray) -> bytes:
    """Run-length only (Z_RLE) where a sample shrinks as much that way: noisy floats' low bytes leave
    deflate's default nothing to match, and RLE takes a fraction of its time for about the same size;
    smooth series keep the default."""
    sample = np.ascontiguousarray(planes[:, :1 << 13]).tobytes()  # the start of each byte plane
    data = np.ascontiguousarray(planes).tobytes()
    size = {s: len(framedata.deflate(sample, 1, s)) for s in (zlib.Z_RLE, zlib.Z_DEFAULT_STRATEGY)}
    rle = size[zlib.Z_RLE] <= 1.02 * size[zlib.Z_DEFAULT_STRATEGY]
    return framedata.deflate(data, 6, zlib.Z_RLE if rle else zlib.Z_DEFAULT_STRATEGY)


def decode(blobs: list[bytes], step: int, points: int) -> Series:
    """Inverse of encode (the page does the same in JavaScript)."""
    k = 1 if step == 1 else 3
    groups = []
    for blob in blobs:
        planes = np.frombuffer(zlib.decompress(blob), dtype=np.uint8).reshape(4, -1)
        x = np.ascontiguousarray(planes.T).view("<u4").reshape(k, -1, points)
        groups.append(np.bitwise_xor.accumulate(x, axis=2).view("<f4"))
    block = np.concatenate(groups, axis=1)  # [arrays × regions × points]
    low, mean, high = (block[i].T for i in ((0, 0, 0) if k == 1 else (0, 1, 2)))
    return Series(step, low, mean, high)


def strip(bins: np.ndarray, step: int) -> list[int]:
    """The scrubber's overview: per span, the mean class of the regions with data, rounded
    (NO_DATA where no region has any). One small list per metric, in the page's metadata."""
    return strip_of(*class_sums(bins), step)


def class_sums(bins: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per frame: the sum of the classes of the regions with data, and their number (a chunk at a time)."""
    known = bins != NO_DATA
    return np.where(known, bins, 0).sum(axis=1, dtype=np.int64), known.sum(axis=1, dtype=np.int64)


def strip_of(total: np.ndarray, count: np.ndarray, step: int) -> list[int]:
    """strip, from every frame's class_sums."""
    starts = np.arange(0, len(total), step)
    total, count = np.add.reduceat(total, starts), np.add.reduceat(count, starts)
    mean = np.floor(total / np.maximum(count, 1) + 0.5).astype(int)
    return np.where(count > 0, mean, NO_DATA).tolist()
