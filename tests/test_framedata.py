"""Frame data: delta + deflate chunks decode back to the same classes."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from generator import classify, framedata


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


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 30), st.integers(1, 8)),
              elements=st.one_of(st.floats(-1e6, 1e6, width=32), st.just(np.nan))),
       st.integers(1, 40), st.integers(1, 12), st.sampled_from([0, 1, 3, 4]))
def test_shown_values_round_trip_to_their_unit(values: np.ndarray, per_chunk: int, k: int, decimals: int) -> None:
    values = np.where(np.isfinite(values), np.round(values, decimals), np.nan).astype(np.float32)
    if not np.isfinite(values).any():
        return
    cls = classify.classes_for(values, k=k, scheme="equal_interval", cmap="viridis", missing="#ddd")
    s = framedata.shown(values, cls.edges)
    chunks = [framedata.encode_shown(values[i:i + per_chunk], cls.indices[i:i + per_chunk], s)
              for i in range(0, len(values), per_chunk)]
    got = framedata.decode_shown(chunks, cls.indices, s)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(values))
    unit = np.asarray([10.0 ** e for e in s.exp])[np.minimum(cls.indices, len(s.exp) - 1)]
    ok = np.isfinite(values)
    # The stored value is the true one rounded to its unit: within half a unit (and float32's own rounding).
    assert np.all(np.abs(got[ok] - values[ok]) <= unit[ok] / 2 * (1 + 1e-9) + np.abs(values[ok]) * 2.0**-23)
    # Whole multiples of the unit, as the page shows them (a decimal number, not a float32 artefact).
    assert np.all(np.abs(got[ok] / unit[ok] - np.rint(got[ok] / unit[ok])) < 1e-6)
    if decimals <= 2 and np.nanmax(np.abs(values)) * 10**decimals < 1e7:  # ≤ 2 decimals, in 7 digits: exact
        np.testing.assert_allclose(got[ok], values[ok], rtol=2.0**-23)


def test_shown_values_cost_next_to_nothing_when_unchanged_and_a_byte_when_noisy() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(5000)[:, None]
    smooth = (1000 + 500 * np.sin(t / 700 + np.arange(177))).astype(np.float32)
    flat = np.repeat(smooth[:1], 5000, axis=0)
    noisy = (smooth + rng.random(smooth.shape) * 50).astype(np.float32)
    for values, most in ((flat, 0.01), (noisy, 1.15)):  # noise over 525 units of 0.1 a class: 9 bits
        cls = classify.classes_for(values, k=20, scheme="equal_interval", cmap="viridis", missing="#ddd")
        s = framedata.shown(values, cls.edges)
        size = sum(len(framedata.encode_shown(values[i:i + 5000], cls.indices[i:i + 5000], s)) for i in (0,))
        assert size < most * values.size, (size / values.size, s)


def test_decimal_unit() -> None:
    assert framedata.decimal_unit(np.array([1200, 300, np.nan], np.float32)) == 2
    assert framedata.decimal_unit(np.array([1.25, 3.5], np.float32)) == -2
    assert framedata.decimal_unit(np.array([0.1, 0.7], np.float32)) == -1  # float32's 0.1 is 0.1 to its precision
    assert framedata.decimal_unit(np.array([1 / 3], np.float32)) is None


def test_integers_and_two_decimals_stay_exact_more_decimals_keep_four_digits() -> None:
    values = np.array([[1_234_567, 20, 999_999]], np.float32)
    assert framedata.shown(values, [0, 1e6]).exp == [0]  # counts: every digit
    assert framedata.shown(np.array([[1234.75, 3.5]], np.float32), [0, 2000]).exp == [-2]  # cents: every digit
    assert framedata.shown(np.array([[1234.567, 12.5]], np.float32), [0, 2000]).exp == [0]  # 4 digits of 2,000
    assert framedata.shown(np.array([[0.0125, 0.5]], np.float32), [0, 1]).exp == [-3]  # 4 digits of 1.000
    assert framedata.shown(np.array([[70.4423]], np.float32), [60.6, 119.1]).exp == [-2]  # 4 digits of 60.60 and up
