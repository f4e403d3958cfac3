"""Stage 5a: the uint8 class matrix -> compressed chunks along frames.

Each chunk holds `chunk_frames` consecutive frames, frame-major (all regions of a frame together).
Within a chunk every frame is stored as its difference (mod 256) to the previous frame, so smooth
data turns into long runs of zeros that deflate shrinks far better than raw classes. The page
inflates a chunk with the browser's DecompressionStream and undoes the delta with a running sum.
"""
from __future__ import annotations

import zlib

import numpy as np

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
    return [zlib.compress(delta(bins[s:s + frames_per_chunk]).tobytes(), 6)
            for s in range(0, bins.shape[0], frames_per_chunk)]


def decode(chunks: list[bytes], regions: int) -> np.ndarray:
    """Inverse of encode (the page does the same in JavaScript)."""
    blocks = [undelta(np.frombuffer(zlib.decompress(c), dtype=np.uint8).reshape(-1, regions)) for c in chunks]
    return np.concatenate(blocks)


def encode_values(values: np.ndarray, frames_per_chunk: int) -> list[bytes]:
    """Deflated chunks of a [frames × regions] float32 matrix: the exact values the tooltip shows.

    Each frame is XORed with the previous one (a value that did not change becomes zero bits), then
    the bytes are split into four planes (sign and exponent bytes together, noisy low bytes apart),
    which deflate shrinks several times better than interleaved floats.
    """
    out = []
    for s in range(0, values.shape[0], frames_per_chunk):
        bits = np.ascontiguousarray(values[s:s + frames_per_chunk], dtype="<f4").view("<u4")
        x = bits.copy()
        x[1:] ^= bits[:-1]
        planes = x.reshape(-1).view(np.uint8).reshape(-1, 4).T
        out.append(zlib.compress(np.ascontiguousarray(planes).tobytes(), 6))
    return out


def decode_values(chunks: list[bytes], regions: int) -> np.ndarray:
    """Inverse of encode_values (the page does the same in JavaScript)."""
    blocks = []
    for c in chunks:
        planes = np.frombuffer(zlib.decompress(c), dtype=np.uint8).reshape(4, -1)
        x = np.ascontiguousarray(planes.T).view("<u4").reshape(-1, regions)
        blocks.append(np.bitwise_xor.accumulate(x, axis=0).view("<f4"))
    return np.concatenate(blocks)
