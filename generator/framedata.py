"""Stage 5, encode (called by encoding.py): the uint8 class matrix and the tooltip's values ->
compressed chunks along frames.

Each chunk holds `chunk_frames` consecutive frames, frame-major (all regions of a frame together).
Within a chunk every frame is stored as its difference (mod 256) to the previous frame, so smooth
data turns into long runs of zeros that deflate shrinks far better than raw classes. The page
inflates a chunk with the browser's DecompressionStream and undoes the delta with a running sum.

The tooltip's values are stored at the precision the page shows (`Shown`): each class has a decimal
unit (integers and up to 2 decimals exactly; other numbers to 4 significant digits or a little more),
and a value is its whole number of units counted from the class's lowest:
the page knows the class, so noisy data take about a byte a cell and unchanged ones nothing. `--values
exact` keeps each float32 bit for bit instead.
"""
from __future__ import annotations

import functools
import itertools
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from zlib_ng import zlib_ng  # zlib's format and sizes, at twice the speed

from .classify import NO_DATA

CHUNK_BYTES = 1 << 20  # raw bytes per chunk: small enough that the first frame arrives fast


def chunk_frames(regions: int, frames: int) -> int:
    return max(1, min(frames, CHUNK_BYTES // max(regions, 1)))


def delta(block: np.ndarray) -> np.ndarray:
    out = block.copy()
    out[1:] -= block[:-1]  # unsigned arithmetic wraps, as the page's typed arrays do
    return out


def _planes(block: np.ndarray) -> bytes:
    """The bytes of each cell's first byte, then of its second…: deflate finds more in each plane."""
    return np.ascontiguousarray(block.reshape(-1).view(np.uint8).reshape(-1, block.itemsize).T).tobytes()


def deflate(data: bytes, level: int, strategy: int) -> bytes:
    z = zlib_ng.compressobj(level, zlib.DEFLATED, 15, 8, strategy)
    return z.compress(data) + z.flush()


def pack(block: np.ndarray) -> bytes:
    """A [frames × regions] block of unsigned integers, deflated: a flag byte, then the block in byte
    planes, as it is (flag 0) or each frame as its difference to the one before (flag 1).

    The form and deflate's strategy are those that shrink a sample of the frames most: differences
    turn smooth data into runs of zeros, the plain block keeps noise from widening and repeats (a daily
    cycle) for deflate's long matches; run-length only (Z_RLE) is much faster than the default on
    noise and often smaller. The default at level 6 where the sample shrinks to almost nothing, else 4.
    """
    diff = delta(block)
    n = max(2, min(len(block), (1 << 15) // max(block.shape[1] * block.itemsize, 1)))
    tries = [(len(deflate(_planes(b[:n]), 1, strategy)), k, strategy)
             for k, b in enumerate((block, diff)) for strategy in (zlib.Z_DEFAULT_STRATEGY, zlib.Z_RLE)]
    size, flag, strategy = min(tries)
    level = 6 if size < 0.05 * block[:n].nbytes else 4
    return deflate(bytes([flag]) + _planes(diff if flag else block), level, strategy)


def unpack(blob: bytes, dtype: str, regions: int) -> np.ndarray:
    """Inverse of pack (the page does the same in JavaScript)."""
    raw = zlib.decompress(blob)
    kind = np.dtype(dtype)
    block = np.ascontiguousarray(np.frombuffer(raw, np.uint8, offset=1).reshape(kind.itemsize, -1).T)
    block = block.view(kind).reshape(-1, regions)
    return np.cumsum(block, axis=0, dtype=kind) if raw[0] else block


def encode(bins: np.ndarray, frames_per_chunk: int) -> list[bytes]:
    """Deflated chunks of a [frames × regions] uint8 class matrix."""
    return [encode_chunk(bins[s:s + frames_per_chunk]) for s in range(0, bins.shape[0], frames_per_chunk)]


def encode_chunk(block: np.ndarray) -> bytes:
    return pack(block)


def decode(chunks: list[bytes], regions: int) -> np.ndarray:
    """Inverse of encode (the page does the same in JavaScript)."""
    return np.concatenate([unpack(c, "u1", regions) for c in chunks])


def encode_values(values: np.ndarray, frames_per_chunk: int) -> list[bytes]:
    """Deflated chunks of a [frames × regions] float32 matrix, bit for bit (--values exact)."""
    return [encode_exact(values[s:s + frames_per_chunk]) for s in range(0, values.shape[0], frames_per_chunk)]


def encode_exact(block: np.ndarray) -> bytes:
    """One chunk of float32 values: each frame XORed with the previous one (a value that did not
    change becomes zero bits), then the bytes split into four planes (sign and exponent bytes
    together, noisy low bytes apart), which deflate shrinks several times better than interleaved floats.
    """
    bits = np.ascontiguousarray(block, dtype="<f4").view("<u4")
    x = bits.copy()
    x[1:] ^= bits[:-1]
    planes = x.reshape(-1).view(np.uint8).reshape(-1, 4).T
    return zlib_ng.compress(np.ascontiguousarray(planes).tobytes(), 6)


def decode_values(chunks: list[bytes], regions: int) -> np.ndarray:
    """Inverse of encode_values (the page does the same in JavaScript)."""
    blocks = []
    for c in chunks:
        planes = np.frombuffer(zlib.decompress(c), dtype=np.uint8).reshape(4, -1)
        x = np.ascontiguousarray(planes.T).view("<u4").reshape(-1, regions)
        blocks.append(np.bitwise_xor.accumulate(x, axis=0).view("<f4"))
    return np.concatenate(blocks)


_TEN = np.array([float(f"1e{n}") for n in range(23)])  # exact powers of ten, as the page writes them


@dataclass
class Shown:
    """How a metric's values are stored at the precision shown: per class, values are whole multiples
    of 10**exp[c], counted from base[c] (in those units), in `width` bytes."""
    exp: list[int]
    base: list[int]
    width: int

    def meta(self) -> dict:
        return {"coding": "shown", "exp": self.exp, "base": self.base, "bytes": self.width}

    @functools.cached_property
    def luts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per class (NO_DATA: unit 1, base 0): what a value is multiplied, then divided by to count its
        units (powers of ten, exact), and the base; made once per metric, not per block."""
        exp, base = np.zeros(256, np.int64), np.zeros(256, np.int64)
        exp[:len(self.exp)], base[:len(self.base)] = self.exp, self.base
        return _TEN[np.clip(-exp, 0, 22)], _TEN[np.clip(exp, 0, 22)], base


def decimal_unit(values: np.ndarray, finest: int = -6) -> int | None:
    """The coarsest power of ten (its exponent, 9 down to `finest`) of which every finite value is a
    whole multiple, to float32's precision; None if there is none."""
    rows = max(1, (1 << 20) // max(values.shape[-1], 1))  # a block of rows at a time: no copy of the matrix
    return decimal_unit_of(values[:: sample_step(len(values))],
                           lambda: (values[i:i + rows] for i in range(0, len(values), rows)), finest)


def sample_step(frames: int) -> int:
    """decimal_unit's sample: every this many frames, from the first."""
    return max(1, frames // 100)


def decimal_unit_of(sample: np.ndarray, blocks: Callable[[], Iterator[np.ndarray]], finest: int = -6) -> int | None:
    """decimal_unit, given the sample rows and the values' blocks (read again for each unit tried
    on them all): for values not in memory at once."""
    few = sample[:: max(1, len(sample) // 4)]
    if not any(np.isfinite(b).any() for b in blocks()):
        return None
    for e in range(9, finest - 1, -1):  # a few rows, then the sample rule out most units; then every value
        if _multiples(few, e) and _multiples(sample, e) and all(_multiples(b, e) for b in blocks()):
            return e
    return None


def _multiples(block: np.ndarray, e: int) -> bool:
    v = block[np.isfinite(block)].astype(np.float64)
    k = np.rint(_in_units(v, e))
    return bool(np.all(np.abs(_from_units(k, e) - v) <= np.abs(v) * 2.0**-23))


def _in_units(v: np.ndarray, e: np.ndarray | int) -> np.ndarray:
    e = np.asarray(e)
    return np.where(e >= 0, v / _TEN[np.clip(e, 0, 22)], v * _TEN[np.clip(-e, 0, 22)])


def _from_units(k: np.ndarray, e: np.ndarray | int) -> np.ndarray:
    e = np.asarray(e)
    return np.where(e >= 0, k * _TEN[np.clip(e, 0, 22)], k / _TEN[np.clip(-e, 0, 22)])


def shown(values: np.ndarray, edges: list[float], digits: int = 4) -> Shown:
    """Each class's unit: integers and numbers of at most 2 decimals exactly (1,234.75; up to float32's 7
    digits); other numbers to at least `digits` significant digits, never finer than their own decimals
    nor than 2 bytes a value need."""
    return shown_of(lambda finest: decimal_unit(values, finest), edges, digits)


def shown_of(unit_of: Callable[[int], int | None], edges: list[float], digits: int = 4) -> Shown:
    """shown(), given the values' decimal_unit as a function of the finest unit asked for."""
    # The digits count from the class's smallest magnitude when the class lies within a decade (70.44 in
    # 60.67 – 119.11), else from its largest: a first class from near 0 would need 4 bytes for its
    # smallest values' digits.
    bounds = [(min(abs(lo), abs(hi)), max(abs(lo), abs(hi)), lo * hi > 0) for lo, hi in itertools.pairwise(edges)]
    sigs = [int(np.floor(np.log10(low if same and low * 10 >= high else high))) - (digits - 1) if high > 0 else 0
            for low, high, same in bounds]
    # Only a unit of 2 decimals or coarser (exact), or coarser than some class's digits, changes a unit.
    unit = unit_of(min(-2, min(sigs) + 1))
    exp, base, widest = [], [], 0
    for (lo, hi), sig, (_, high, _) in zip(itertools.pairwise(edges), sigs, bounds):
        if unit is not None and unit >= -2:  # exact
            e = max(unit, int(np.floor(np.log10(max(high, 1e-300)))) - 6)  # float32's 7 digits
        else:
            e = max(sig, unit if unit is not None else sig, int(np.ceil(np.log10(max(hi - lo, 1e-300) / 65_000))))
        e = max(e, -22)
        first = int(np.rint(_in_units(np.float64(lo), e))) - 1  # a unit of margin: rounded edges
        exp.append(e)
        base.append(first)
        widest = max(widest, int(np.rint(_in_units(np.float64(hi), e))) + 1 - first)
    width = 1 if widest < 1 << 8 else 2 if widest < 1 << 16 else 4
    return Shown(exp, base, width)


def encode_shown(values: np.ndarray, bins: np.ndarray, s: Shown) -> bytes:
    """One chunk: each value's units above its class's base (0 where no data), packed."""
    return pack(units(values, bins, s))


def units(values: np.ndarray, bins: np.ndarray, s: Shown) -> np.ndarray:
    """Each value's whole units above its class's base, as s.width-byte integers (0 where no data)."""
    mul, div, base = s.luts
    used = slice(0, len(s.exp))
    if (mul[used] == mul[0]).all() and (div[used] == div[0]).all():  # one unit for every class: no gathers
        u = np.multiply(values, mul[0], dtype=np.float64)
        if div[0] != 1:
            u /= div[0]
    else:
        u = values * mul[bins]  # float64: exact for float32 values
        if (div[used] != 1).any():  # units of 10 or more
            u /= div[bins]
    np.rint(u, out=u)
    u -= base.astype(np.float64)[bins]
    u[bins == NO_DATA] = 0
    kind = np.dtype(f"<u{s.width}")
    return np.clip(u, 0, np.iinfo(kind).max, out=u).astype(kind)


def classes_and_units(values: np.ndarray, classifier: Callable[[np.ndarray], np.ndarray], s: Shown | None
                      ) -> tuple[np.ndarray, np.ndarray | None]:
    """A chunk's classes and, given s, its values' units, a few frames at a time: every pass over a
    block stays in the CPU's cache (faster than passes over the whole chunk)."""
    bins = np.empty(values.shape, np.uint8)
    out = np.empty(values.shape, f"<u{s.width}") if s else None
    rows = max(1, (1 << 15) // max(values.shape[1], 1))
    for r in range(0, len(values), rows):
        block = values[r:r + rows]
        bins[r:r + rows] = classifier(block)
        if out is not None and s is not None:
            out[r:r + rows] = units(block, bins[r:r + rows], s)
    return bins, out


def decode_shown(chunks: list[bytes], bins: np.ndarray, s: Shown) -> np.ndarray:
    """Inverse of encode_shown over all chunks, given the classes: float64 [frames × regions], NaN where
    no data (the page computes the same numbers)."""
    mul, div, base = s.luts
    units = np.concatenate([unpack(c, f"<u{s.width}", bins.shape[1]) for c in chunks]).astype(np.int64) + base[bins]
    out = units * div[bins] / mul[bins]
    out[bins == NO_DATA] = np.nan
    return out


def fill_forward(values: np.ndarray) -> np.ndarray:
    """Each region's last value carried into the frames after it that have none (in place)."""
    frames = np.arange(values.shape[0])[:, None]
    last = np.maximum.accumulate(np.where(np.isfinite(values), frames, 0), axis=0)
    values[:] = values[last, np.arange(values.shape[1])]
    return values
