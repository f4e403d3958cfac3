"""Stage 5, encode (called by encoding.py): classify every value of a metric, over all frames at
once, into colour classes.

One classification per metric (mapclassify's schemes; equal intervals computed as mapclassify does,
without its imports; breaks computed on a sample when the matrix is large), then a Classifier turns
the float matrix into a uint8 matrix of class indices with NO_DATA for missing values. Colours come
from a matplotlib colormap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import matplotlib
import matplotlib.colors as mcolors
import numpy as np

from .errors import UserError, flag

NO_DATA = 255
MAX_CLASSES = 254
SCHEMES = {
    "equal_interval": "EqualInterval",
    "quantiles": "Quantiles",
    "fisher_jenks": "FisherJenks",
    "natural_breaks": "NaturalBreaks",
    "std_mean": "StdMean",
    "user_defined": "UserDefined",
    "nice": "EqualInterval",  # equal intervals with round edges: --scheme equal_interval --round
}
NICE_STEPS = (10, 20, 25, 50)  # round steps: 1, 2, 2.5 and 5 × 10ⁿ, as tenths
_SAMPLE = 200_000
# Schemes slow on many values; equal intervals need only the extremes, which every sample includes.
_SMALL_SAMPLE = {"fisher_jenks": 3_000, "natural_breaks": 20_000, "equal_interval": 1_000}


@dataclass
class Classes:
    indices: np.ndarray  # uint8 [frames × regions]: each cell's class, NO_DATA where there is no value
    edges: list[float]  # k + 1 boundaries: class i holds edges[i] < v <= edges[i + 1] (the first also holds edges[0])
    colors: list[str]  # k colours, '#rrggbb'
    missing: str  # colour of no-data
    labels: list[str]  # the edges as the legend shows them


SUFFIXES = ("", "k", "M", "B", "T")  # thousands, millions, billions, trillions


def _with_suffix(e: np.ndarray, power: int, tolerance: float) -> list[str]:
    """The edges in units of 1000^power, with the fewest decimals (the same for all) that put every
    edge within `tolerance` of its true place; thousands separators."""
    scale = 1000.0 ** power
    decimals = next((d for d in range(10) if np.all(np.abs(np.round(e / scale, d) * scale - e) <= tolerance)), 10)
    return ["0" if v == 0 else f"{v / scale:,.{decimals}f}{SUFFIXES[power]}" for v in e]


def labels(edges: list[float] | np.ndarray) -> list[str]:
    """Edges as a person writes them: every edge within 2 % of the narrowest class of its true place,
    thousands separators ("241", "1,450", "19,145", "113,523"), and one suffix for the whole legend only
    where it makes the labels shorter by two characters each on average ("99k" for 98,765, "3.75M",
    but "12,500" rather than "12.5k", and no "0.00000001B" for 10 beside a billion)."""
    e = np.asarray(edges, dtype=np.float64)
    top = float(np.abs(e).max()) if len(e) else 0.0
    gaps = np.diff(np.unique(e))
    tolerance = 0.02 * (gaps.min() if len(gaps) else abs(top) or 1.0)
    plain = _with_suffix(e, 0, tolerance)
    shorter = [_with_suffix(e, p, tolerance) for p in range(1, len(SUFFIXES)) if top >= 1000.0 ** p]
    best = min(shorter, key=lambda t: sum(map(len, t)), default=plain)
    return best if sum(map(len, best)) <= sum(map(len, plain)) - 2 * len(e) else plain


def colormap(cmap: str) -> mcolors.Colormap:
    try:
        return matplotlib.colormaps[cmap]
    except KeyError:
        raise UserError(f"{flag('cmap', cmap)} is not a matplotlib colormap; try viridis, afmhot_r, "
                        "YlOrRd, RdBu") from None


def palette(cmap: str, k: int) -> list[str]:
    return [mcolors.to_hex(c) for c in colormap(cmap).resampled(k)(np.arange(k))]


def diverging_palette(cmap: str, edges: np.ndarray, center: float) -> list[str]:
    """Colours for classes around a centre: the colormap's middle at the centre, its ends at the
    farthest value on either side, so equal distances from the centre get equally strong colours."""
    mids = (edges[:-1] + edges[1:]) / 2
    reach = max(center - edges[0], edges[-1] - center) or 1.0
    return [mcolors.to_hex(c) for c in colormap(cmap)(0.5 + (mids - center) / (2 * reach))]


def check_colour(colour: str, option: str) -> str:
    try:
        return mcolors.to_hex(colour)
    except ValueError:
        raise UserError(f"{flag(option, colour)} is not a colour; use a name or #rrggbb", option) from None


def _decimal(n: int, power: int) -> float:
    """n × 10^power, as exactly as a float holds it (0.3, not 3 × 0.1 = 0.30000000000000004)."""
    return float(n * 10 ** power) if power >= 0 else n / 10 ** -power


def nice_edges(lo: float, hi: float, k: int, origin: float = 0.0) -> np.ndarray:
    """At most k classes from lo to hi with round edges: origin + multiples of the smallest step of
    1, 2, 2.5 or 5 × 10ⁿ that needs no more (d3's nice(), with 2.5 too)."""
    span = hi - lo or abs(hi) or 1.0
    power = int(np.floor(np.log10(span / k))) - 2
    while True:
        for m in NICE_STEPS:
            step = _decimal(m, power)
            a = int(np.floor((lo - origin) / step + 1e-9))
            b = int(np.ceil((hi - origin) / step - 1e-9))
            a -= origin + _decimal(a * m, power) > lo  # rounding in the division: keep lo and hi inside
            b += origin + _decimal(b * m, power) < hi
            b = max(b, a + 1)
            if b - a <= k:
                return np.array([origin + _decimal(j * m, power) for j in range(a, b + 1)])
        power += 1


def breaks(values: np.ndarray, k: int, scheme: str, user_breaks: list[float] | None = None,
           round_edges: bool = False, origin: float = 0.0) -> np.ndarray:
    """Class boundaries [lowest value, upper bound of each class], by mapclassify on (a sample of) the
    values; with round_edges (or scheme `nice`), equal intervals between round numbers from `origin`.
    The options were checked before (validate.check_metric): only what the values say is checked here."""
    rng, at = sample_cells(values.size, scheme)
    finite = np.zeros(0)
    if at is not None:  # a large matrix: the sample drawn from its cells, not from a copy of them
        finite = values[np.unravel_index(at, values.shape)]  # any strides: no copy
        finite = finite[np.isfinite(finite)]
    if finite.size < min(_SMALL_SAMPLE.get(scheme, _SAMPLE), values.size):  # small, or mostly without data
        finite = values[np.isfinite(values)]
    if finite.size == 0:
        raise UserError("a metric has no values at all; check the metric column and the aggregation")
    return breaks_of(finite, float(np.nanmin(values)), float(np.nanmax(values)), rng, k, scheme, user_breaks,
                     round_edges, origin)


def sample_size(scheme: str) -> int:
    """How many values a scheme's breaks are computed from at most."""
    return _SMALL_SAMPLE.get(scheme, _SAMPLE)


def sample_cells(size: int, scheme: str) -> tuple[np.random.Generator, np.ndarray | None]:
    """The cells (flat, ascending) whose values the breaks of a matrix of `size` cells are drawn from,
    and the generator drawn from so far; None for a small matrix, whose every value counts. Chosen from
    the size alone, so a build that sees the matrix a window of frames at a time takes the same cells."""
    sample = _SMALL_SAMPLE.get(scheme, _SAMPLE)
    rng = np.random.default_rng(0)
    if size <= 8 * sample:
        return rng, None
    # Ascending cells at random gaps (mean: size / 4·sample): no sort, and memory read in order.
    at = np.cumsum(rng.integers(1, 2 * size // (4 * sample), 4 * sample))
    return rng, at[at < size]


def breaks_of(finite: np.ndarray, lo: float, hi: float, rng: np.random.Generator, k: int, scheme: str,
              user_breaks: list[float] | None = None, round_edges: bool = False, origin: float = 0.0) -> np.ndarray:
    """breaks(), given the finite values drawn (sample_cells, or every one), the extremes of all and the
    generator they were drawn with."""
    sample = _SMALL_SAMPLE.get(scheme, _SAMPLE)
    if (round_edges or scheme == "nice") and lo < hi:
        return nice_edges(lo, hi, k, origin)
    if finite.size > sample:  # breaks from a sample, always including both extremes
        finite = np.concatenate([rng.choice(finite, sample, replace=False), [lo, hi]])
    finite = finite.astype(np.float64, copy=False)  # the same arithmetic, sampled or not
    if scheme == "user_defined":
        assert user_breaks, "validate.check_metric: user_defined needs breaks"
        upper = np.asarray(mapclassify().UserDefined(finite, bins=sorted(user_breaks)).bins, dtype=np.float64)
    elif lo == hi:
        upper = np.array([hi])
    elif scheme == "equal_interval":
        upper = equal_interval(lo, hi, k)
    else:
        kwargs = {} if scheme == "std_mean" else {"k": k}  # std_mean's classes follow from the spread
        try:
            upper = np.asarray(getattr(mapclassify(), SCHEMES[scheme])(finite, **kwargs).bins, dtype=np.float64)
        except (ValueError, ZeroDivisionError, FloatingPointError):  # a range too narrow for its arithmetic
            upper = np.linspace(lo, hi, k + 1)[1:]
    upper = np.unique(upper)
    upper[-1] = max(upper[-1], hi)
    return np.concatenate([[min(lo, upper[0])], upper])


class Classifier:
    """classify() for one metric's edges, prepared once. float32 values are compared with float32
    edges, each rounded down (the same classes, no float64 copy of the values); large arrays start from
    a table of the class one step below each of 1,024 steps over the edges' range, then move up while
    a value is above its class's edge: a pass or two instead of a binary search per value."""

    STEPS = 1024

    def __init__(self, edges: np.ndarray | list[float]) -> None:
        upper = np.asarray(edges, dtype=np.float64)[1:]
        down = upper.astype(np.float32)
        self.upper32 = np.where(down > upper, np.nextafter(down, np.float32(-np.inf)), down)
        self.upper = upper
        lo, hi = float(self.upper32[0]), float(self.upper32[-1])
        self.table = None
        fine = np.spacing(np.float32(max(abs(lo), abs(hi))))  # a step must span several float32 values
        # and the scale (steps per unit) must be a float32: edges within ~1e-35 of each other are not
        if (len(upper) > 2 and np.isfinite(hi - lo) and hi - lo > 16 * self.STEPS * fine
                and self.STEPS / (hi - lo) < np.finfo(np.float32).max):
            self.lo, self.scale = np.float32(lo), np.float32(self.STEPS / (hi - lo))
            below = lo + (np.arange(self.STEPS) - 1) / float(self.scale)  # a step of margin for rounding
            first = np.searchsorted(self.upper32, below.astype(np.float32), side="left")
            self.table = np.minimum(first, len(upper) - 1).astype(np.uint8)
            self.ceiling = np.append(self.upper32[:-1], np.float32(np.inf))  # the last class takes the rest
            # Moves up a value can need: the edges within three steps (its own, the margin, a rounding)
            window = lo + np.arange(-1, self.STEPS + 2) / float(self.scale)
            top, bottom = window[3:].astype(np.float32), window[:-3].astype(np.float32)
            crossed = np.searchsorted(self.upper32, top, side="right") - np.searchsorted(self.upper32, bottom)
            self.passes = int(crossed.max())

    def __call__(self, values: np.ndarray) -> np.ndarray:
        if values.dtype != np.float32 or self.table is None or values.size < 256:
            upper = self.upper32 if values.dtype == np.float32 else self.upper
            out = np.minimum(np.searchsorted(upper, values, side="left"), len(upper) - 1).astype(np.uint8)
        else:
            step = np.subtract(values, self.lo)
            step *= self.scale
            np.fmax(step, 0, out=step)  # NaN -> 0: classed NO_DATA below
            np.fmin(step, self.STEPS - 1, out=step)
            out = self.table[step.astype(np.intp)]
            for _ in range(self.passes):
                out += values > self.ceiling[out]
        out[~np.isfinite(values)] = NO_DATA
        return out


def mapclassify() -> Any:
    """mapclassify, imported when a scheme from the data needs it: it brings scipy.stats and
    scikit-learn, seconds of imports (much of a small build's time) that equal intervals do without."""
    import mapclassify as module

    return module


def equal_interval(lo: float, hi: float, k: int) -> np.ndarray:
    """The upper edges of k equal intervals from lo to hi, computed as mapclassify.EqualInterval does
    (a test holds them equal), without importing it."""
    width = (hi - lo) / k
    cuts = np.arange(lo + width, hi + width, width)[:k]
    cuts[-1] = hi
    return cuts


def classify(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """uint8 class index of every value: the class whose range holds it; NO_DATA for NaN/inf."""
    return Classifier(edges)(values)


def centered_breaks(values: np.ndarray, k: int, scheme: str, center: float, round_edges: bool = False) -> np.ndarray:
    """Half the classes below the centre and half above it (by the scheme on each side): the centre
    is always an edge, so no class mixes values on both sides."""
    finite = values[np.isfinite(values)]
    below, above = finite[finite < center], finite[finite > center]
    k_below = 0 if below.size == 0 else k if above.size == 0 else max(1, k // 2)
    parts = []
    if k_below:
        parts.append(breaks(np.append(below, center), k_below, scheme, None, round_edges, center))
    if k - k_below and above.size:
        upper = breaks(np.append(above, center), k - k_below, scheme, None, round_edges, center)
        parts.append(upper[1:] if parts else upper)
    if not parts:  # every value is the centre
        return np.array([center, center])
    return np.concatenate(parts)


def classes_for(values: np.ndarray, *, k: int, scheme: str, cmap: str, missing: str,
                user_breaks: list[float] | None = None, log: bool = False, name: str = "metric",
                center: float | None = None, round_edges: bool = False, classify_values: bool = True) -> Classes:
    """The classes of a metric's values; with classify_values=False their edges only (the caller classifies the
    values a chunk at a time with `classify`)."""
    check_values(name, log, int(np.isinf(values).sum()), int((values <= 0).sum()) if log else 0)
    if log:  # breaks on a log scale: classes of equal ratio rather than equal difference
        edges = 10 ** breaks(np.log10(values), k, scheme, None if user_breaks is None else list(np.log10(user_breaks)))
    elif center is not None and scheme != "user_defined":
        edges = centered_breaks(values, k, scheme, center, round_edges)
    else:
        edges = breaks(values, k, scheme, user_breaks, round_edges)
    return classes_of(edges, cmap, missing, center,
                    classify(values, edges) if classify_values else np.zeros((0, values.shape[-1]), np.uint8))


def check_values(name: str, log: bool, infinite: int, nonpositive: int) -> None:
    if infinite:
        raise UserError(f"metric {name!r} has infinite values ({infinite} region-buckets); "
                        "filter them out in the query or the file")
    if log and nonpositive:
        raise UserError(f"{flag('log')} needs positive values, and metric {name!r} has {nonpositive} "
                        f"region-buckets ≤ 0; drop {flag('log')} or filter them out")


def classes_of(edges: np.ndarray, cmap: str, missing: str, center: float | None, indices: np.ndarray) -> Classes:
    colours = (diverging_palette(cmap, edges, center) if center is not None else palette(cmap, len(edges) - 1))
    return Classes(indices=indices, edges=edges.tolist(), colors=colours,
                   missing=check_colour(missing, "missing_color"), labels=labels(edges))
