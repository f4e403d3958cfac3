"""The tooltip's values, in Chromium: stored at the precision the page shows (--values shown, the default),
each within half a unit of its last shown digit of the true aggregate, the same in the tooltip, the table
and the API; bit for bit with --values exact."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import open_site
from playwright.sync_api import Page

from generator import build

COUNTRIES = {"FRA": "France", "BRA": "Brazil", "AUS": "Australia", "NOR": "Norway", "RUS": "Russia"}
FRAMES = [0, 57, 119]


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """Three noisy rows per country per hour: their means have as many digits as a float has."""
    rng = np.random.default_rng(3)
    per_country = 120 * 3
    hour = np.repeat(np.arange(per_country), len(COUNTRIES)) // 3
    return pd.DataFrame({"country": np.tile(list(COUNTRIES), per_country),
                         "unixtime": 1_700_000_000 // 3600 * 3600 + hour * 3600,
                         "m": rng.lognormal(6, 1.5, per_country * len(COUNTRIES))})


def site(tmp_path: Path, rows: pd.DataFrame, values: str) -> Path:
    rows.to_csv(tmp_path / "rows.csv", index=False)
    build.build(build.Options(csv=str(tmp_path / "rows.csv"), out=str(tmp_path / values), interval="1h", agg="mean",
                              values=values, scheme="quantiles", classes=7))
    return tmp_path / values


def shown(page: Page, frame: int) -> dict[str, tuple[str, float | None, str]]:
    """Per country at `frame`: the value as the tooltip writes it, as the API gives it, as the table shows it."""
    page.evaluate("f => { choropleth.renderFrame(f); choropleth.showTable(true); return choropleth.values(f); }", frame)
    page.wait_for_function("() => !document.querySelector('#table-view tbody').textContent.includes('…')")
    table = dict(page.evaluate("[...document.querySelectorAll('#table-view tbody tr')]"
                               ".map(tr => [tr.cells[0].textContent, tr.cells[1].textContent])"))
    out = {}
    for name in COUNTRIES.values():
        r = page.evaluate("n => choropleth.meta.regions.names.indexOf(n)", name)
        text = re.fullmatch(rf"{name}: ([-\d,.]+[kMGT]?) \(.*\)", page.evaluate("r => choropleth.describe(r)", r))
        assert text, page.evaluate("r => choropleth.describe(r)", r)
        out[name] = (text[1], page.evaluate("([r, f]) => choropleth.valueOf(r, f)", [r, frame]), table[name])
    return out


def test_values_shown_are_the_true_aggregate_to_their_last_digit(tmp_path: Path, rows: pd.DataFrame,
                                                                  page: Page) -> None:
    true = rows.assign(f=(rows.unixtime - rows.unixtime.min()) // 3600).groupby(["f", "country"]).m.mean()
    open_site(page, (site(tmp_path, rows, "shown") / "index.html").as_uri())
    digits = set()
    for frame in FRAMES:
        for code, name in COUNTRIES.items():
            text, api, table = shown(page, frame)[name]
            number, scale = text.rstrip("kMGT"), 1000.0 ** " kMGT".index(text[-1] if text[-1] in "kMGT" else " ")
            assert table == text, (name, frame)
            assert api == pytest.approx(float(number.replace(",", "")) * scale, rel=1e-12), (name, frame)
            unit = 10.0 ** -len(number.partition(".")[2]) * scale  # of the last digit shown
            digits.add(len(number.replace(",", "").replace(".", "").lstrip("0")))
            t = true[frame, code]
            # Half a unit of the last digit shown (the aggregate was rounded to float32 on the way: 2^-24).
            assert abs(api - t) <= 0.5 * unit + abs(t) * 2.0**-23, (name, frame, text, t)
    assert max(digits) >= 4  # values as precise as the page shows them: about 4 significant digits


def test_exact_values_are_float32_bit_for_bit(tmp_path: Path, rows: pd.DataFrame, page: Page) -> None:
    true = rows.assign(f=(rows.unixtime - rows.unixtime.min()) // 3600).groupby(["f", "country"]).m.mean()
    open_site(page, (site(tmp_path, rows, "exact") / "index.html").as_uri())
    for frame in FRAMES[:2]:
        for code, name in COUNTRIES.items():
            text, api, table = shown(page, frame)[name]
            assert api == float(np.float32(true[frame, code])) and table == text
