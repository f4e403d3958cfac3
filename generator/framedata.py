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
