"""Stage 5a: the uint8 class matrix and the tooltip's values -> compressed chunks along frames.

Each chunk holds `chunk_frames` consecutive frames, frame-major (all regions of a frame together).
Within a chunk every frame is stored as its difference (mod 256) to the previous frame, so smooth
data turns into long runs of zeros that deflate shrinks far better than raw classes. The page
inflates a chunk with the browser's DecompressionStream and undoes the delta with a running sum.

The tooltip's values are stored at the precision the page shows (`Shown`): each class has a decimal
unit (integers and up to 2 decimals exactly; other numbers to 4 significant digits of the class's largest
value), and a value is its whole number of units counted from the class's lowest:
the page knows the class, so noisy data take about a byte a cell and unchanged ones nothing. `--values
exact` keeps each float32 bit for bit instead.
"""
from __future__ import annotations

import itertools
import zlib
from dataclasses import dataclass

import numpy as np

from .classify import NO_DATA

CHUNK_BYTES = 1 << 20  # raw bytes per chunk: small enough that the first frame arrives fast


def chunk_frames(regions: int, frames: int) -> int:
    return max(1, min(frames, CHUNK_BYTES // max(regions, 1)))


def delta(block: np.ndarray) -> np.ndarray:
    out = block.copy()
    out[1:] -= block[:-1]  # uint8 arithmetic wraps mod 256, as the page's Uint8Array does
    return out


def undelta(block: np.ndarray) -> np.ndarray:
    return np.cumsum(block, axis=0, dtype=np.uint8)


def encode(bins: np.ndarray, frames_per_chunk: int) -> list[bytes]:
    """Deflated, delta-coded chunks of a [frames × regions] uint8 matrix."""
    return [encode_chunk(bins[s:s + frames_per_chunk]) for s in range(0, bins.shape[0], frames_per_chunk)]


def encode_chunk(block: np.ndarray) -> bytes:
    return zlib.compress(delta(block).tobytes(), 6)


def decode(chunks: list[bytes], regions: int) -> np.ndarray:
    """Inverse of encode (the page does the same in JavaScript)."""
    blocks = [undelta(np.frombuffer(zlib.decompress(c), dtype=np.uint8).reshape(-1, regions)) for c in chunks]
    return np.concatenate(blocks)


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
    return zlib.compress(np.ascontiguousarray(planes).tobytes(), 6)


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


def decimal_unit(values: np.ndarray, finest: int = -6) -> int | None:
    """The coarsest power of ten (its exponent, 9 down to `finest`) of which every finite value is a
    whole multiple, to float32's precision; None if there is none."""
    flat = values.reshape(-1)
    sample = flat[:: max(1, flat.size // 20_000)]
    for e in range(9, finest - 1, -1):  # the sample rules out most units; then every value, a block at a time
        if _multiples(sample, e) and all(_multiples(flat[i:i + (1 << 20)], e) for i in range(0, flat.size, 1 << 20)):
            return e if np.isfinite(sample).any() or np.isfinite(flat).any() else None
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
    digits); other numbers to `digits` significant digits of the class's largest magnitude, never finer
    than their own decimals."""
    unit = decimal_unit(values)
    exp, base, widest = [], [], 0
    for lo, hi in itertools.pairwise(edges):
        top = max(abs(lo), abs(hi))
        sig = int(np.floor(np.log10(top))) - (digits - 1) if top > 0 else 0
        e = unit if unit is not None and unit >= -2 else max(sig, unit if unit is not None else sig)
        e = max(e, sig - 3, -22)
        first = int(np.rint(_in_units(np.float64(lo), e))) - 1  # a unit of margin: rounded edges
        exp.append(e)
        base.append(first)
        widest = max(widest, int(np.rint(_in_units(np.float64(hi), e))) + 1 - first)
    width = 1 if widest < 1 << 8 else 2 if widest < 1 << 16 else 4
    return Shown(exp, base, width)


def _luts(s: Shown) -> tuple[np.ndarray, np.ndarray]:
    exp, base = np.zeros(256, np.int64), np.zeros(256, np.int64)  # NO_DATA: unit 1, base 0
    exp[:len(s.exp)], base[:len(s.base)] = s.exp, s.base
    return exp, base


def encode_shown(values: np.ndarray, bins: np.ndarray, s: Shown) -> bytes:
    """One chunk: each value's units above its class's base (0 where no data), in byte planes, deflated;
    as they are, or (first byte 1) as the difference to the frame before (mod 2**(8 × width)), whichever a
    sample of the frames finds smaller: unchanged values cost nothing, noise is not made wider."""
    exp, base = _luts(s)
    units = np.rint(_in_units(values.astype(np.float64), exp[bins])) - base[bins]
    units[bins == NO_DATA] = 0
    kind = np.dtype(f"<u{s.width}")
    o = np.clip(units, 0, np.iinfo(kind).max).astype(kind)
    d = o.copy()
    d[1:] -= o[:-1]

    def planes(x: np.ndarray) -> bytes:
        return np.ascontiguousarray(x.reshape(-1).view(np.uint8).reshape(-1, s.width).T).tobytes()

    sample = slice(0, max(2, min(len(o), (1 << 16) // max(o.shape[1], 1))))
    delta = len(zlib.compress(planes(d[sample]), 1)) < len(zlib.compress(planes(o[sample]), 1))
    return zlib.compress(bytes([delta]) + planes(d if delta else o), 6)


def decode_shown(chunks: list[bytes], bins: np.ndarray, s: Shown) -> np.ndarray:
    """Inverse of encode_shown over all chunks, given the classes: float64 [frames × regions], NaN where
    no data (the page computes the same numbers)."""
    exp, base = _luts(s)
    kind = np.dtype(f"<u{s.width}")
    blocks = []
    for c in chunks:
        raw = zlib.decompress(c)
        o = np.ascontiguousarray(np.frombuffer(raw, np.uint8, offset=1).reshape(s.width, -1).T).view(kind)
        o = o.reshape(-1, bins.shape[1])
        blocks.append(np.cumsum(o, axis=0, dtype=kind) if raw[0] else o)
    units = np.concatenate(blocks).astype(np.int64) + base[bins]
    out = _from_units(units.astype(np.float64), exp[bins])
    out[bins == NO_DATA] = np.nan
    return out
