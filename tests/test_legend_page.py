"""Legend labels as a person reads them in the page: a quantile map of gapminder-like GDP per capita
(241 to 113,523 dollars) shows its class edges as written numbers, not "0.241k · 0.797k · 1.450k"."""
from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pandas as pd
from playwright.sync_api import Page
from test_page import open_site

import build_site

COUNTRIES = ["USA", "CAN", "MEX", "BRA", "ARG", "CHL", "PER", "COL", "FRA", "DEU", "ESP", "ITA", "POL", "SWE",
             "NOR", "RUS", "CHN", "IND", "JPN", "KOR", "IDN", "AUS", "NZL", "ZAF", "NGA", "EGY", "ETH", "KEN",
             "COD", "MAR", "DZA", "SAU", "IRN", "TUR", "KWT", "PAK", "BGD", "VNM", "THA", "MNG"]


def gdp_per_capita() -> pd.DataFrame:
    """One value per country per year, 1952–2007 every five years, log-spread from 241 to 113,523."""
    years = np.arange(1952, 2008, 5)
    values = np.geomspace(241.17, 113_523.13, len(COUNTRIES) * len(years))
    order = np.random.default_rng(7).permutation(values.size)
    return pd.DataFrame({"iso_alpha": np.repeat(COUNTRIES, len(years)), "year": np.tile(years, len(COUNTRIES)),
                         "gdpPercap": values[order]})


def test_quantile_labels_read_as_written_numbers(tmp_path: Path, page: Page) -> None:
    m = build_site.choropleth(gdp_per_capita(), region="iso_alpha", time="year", metric="gdpPercap",
                              scheme="quantiles", classes=7, interval="5y")
    open_site(page, m.save(tmp_path / "gdp.html").as_uri())
    labels = page.evaluate("choropleth.meta.metrics[0].labels")
    assert labels[0] == "241" and labels[-1] == "113,523"
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", text) for text in labels), labels
    # The table's class column, as a person reads it: each range between two of those numbers.
    page.click("#table-toggle")
    cells = page.locator("#table-view tbody tr td:nth-child(3)").all_text_contents()
    ranges = [text for text in cells if text != "no data"]  # the shapes the data leaves out
    shown = {f"{a} – {b}" for a, b in itertools.pairwise(labels)}
    assert ranges and set(ranges) <= shown and any(r.endswith(" – 113,523") for r in ranges)
