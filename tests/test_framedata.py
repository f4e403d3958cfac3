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


@settings(max_examples=50, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 40), st.integers(1, 12))), st.integers(1, 50))
def test_values_round_trip_bit_for_bit(values: np.ndarray, per_chunk: int) -> None:
    chunks = framedata.encode_values(values, per_chunk)
    got = framedata.decode_values(chunks, values.shape[1])
    np.testing.assert_array_equal(got.view(np.uint32), values.view(np.uint32))  # NaN and -0.0 included


def test_unchanged_values_cost_almost_nothing() -> None:
    values = np.repeat(np.random.default_rng(0).random((1, 177), dtype=np.float32) * 1000, 5000, axis=0)
    size = sum(map(len, framedata.encode_values(values, 5000)))
    assert size < 0.02 * values.size  # the first frame, then zero bits
