"""Classification: every value lands in the class whose range holds it; no-data is reserved."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from generator import classify
from generator.errors import UserError


def assert_in_range(values: np.ndarray, bins: np.ndarray, edges: list[float]) -> None:
    for v, b in zip(values.ravel(), bins.ravel()):
        if not np.isfinite(v):
            assert b == classify.NO_DATA
            continue
        lo, hi = edges[b], edges[b + 1]
        assert (lo <= v if b == 0 else lo < v) and v <= hi, (v, b, lo, hi)


def test_equal_interval_20_classes_afmhot() -> None:
    values = np.array([[0.0, 10.0, np.nan], [5.0, 100.0, 99.9]], dtype=np.float32)
    cls = classify.classes_for(values, k=20, scheme="equal_interval", cmap="afmhot_r", missing="#dddddd")
    assert len(cls.colors) == 20 and len(cls.edges) == 21
    assert cls.edges[0] == 0 and cls.edges[-1] == pytest.approx(100)
    assert cls.bins.dtype == np.uint8
    assert cls.bins[0, 2] == classify.NO_DATA
    assert cls.bins[0, 0] == 0 and cls.bins[1, 1] == 19 and cls.bins[0, 1] == 1  # 10 is the top of class 1
    assert cls.colors[0] == "#ffffff" and cls.missing == "#dddddd"
    assert_in_range(values, cls.bins, cls.edges)


@pytest.mark.parametrize("scheme", ["equal_interval", "quantiles", "fisher_jenks", "natural_breaks", "std_mean"])
def test_schemes_hold_their_values(scheme: str) -> None:
    values = np.random.default_rng(1).lognormal(2, 1, (300, 40)).astype(np.float32)
    values[::7, ::3] = np.nan
    cls = classify.classes_for(values, k=7, scheme=scheme, cmap="viridis", missing="#ccc")
    assert_in_range(values, cls.bins, cls.edges)
    assert set(np.unique(cls.bins)) <= set(range(len(cls.colors))) | {classify.NO_DATA}


def test_user_defined_breaks() -> None:
    values = np.array([1, 10, 11, 100, 1000], dtype=np.float32)
    cls = classify.classes_for(values, k=5, scheme="user_defined", cmap="viridis", missing="#ccc",
                               user_breaks=[10, 100, 1000])
    assert cls.edges == [1, 10, 100, 1000]
    assert cls.bins.tolist() == [0, 0, 1, 1, 2]


@pytest.mark.parametrize("kwargs,message", [
    ({"cmap": "nope"}, "colormap"), ({"k": 255}, "1 to 254"), ({"scheme": "magic"}, "unknown"),
    ({"missing": "grey-ish"}, "not a colour"),
])
def test_bad_options_are_user_errors(kwargs: dict, message: str) -> None:
    options = {"k": 5, "scheme": "equal_interval", "cmap": "viridis", "missing": "#ccc", **kwargs}
    with pytest.raises(UserError, match=message):
        classify.classes_for(np.arange(10, dtype=np.float32), **options)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 30), st.integers(1, 8)),
              elements=st.one_of(st.floats(-1e6, 1e6, width=32), st.just(np.nan))),
       st.integers(1, 30))
def test_property_every_value_in_its_class(values: np.ndarray, k: int) -> None:
    if not np.isfinite(values).any():
        return
    cls = classify.classes_for(values, k=k, scheme="equal_interval", cmap="viridis", missing="#ccc")
    assert_in_range(values, cls.bins, cls.edges)
