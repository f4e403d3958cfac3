"""Frame data: delta + deflate chunks decode back to the same classes."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from generator import framedata


@settings(max_examples=50, deadline=None)
@given(arrays(np.uint8, st.tuples(st.integers(1, 60), st.integers(1, 20))), st.integers(1, 70))
def test_round_trip(bins: np.ndarray, per_chunk: int) -> None:
    chunks = framedata.encode(bins, per_chunk)
    assert len(chunks) == -(-bins.shape[0] // per_chunk)
    np.testing.assert_array_equal(framedata.decode(chunks, bins.shape[1]), bins)


def test_smooth_data_compresses_below_a_tenth_of_a_byte_per_cell() -> None:
    t = np.arange(20_000)[:, None]
    bins = ((np.sin(t / 500 + np.arange(177)[None, :]) + 1) * 9.99).astype(np.uint8)
    size = sum(map(len, framedata.encode(bins, framedata.chunk_frames(177, 20_000))))
    assert size < 0.1 * bins.size
