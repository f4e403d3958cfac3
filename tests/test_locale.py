"""The reader's language (--locale): the player's words from one table per language (static/locales/),
numbers and dates as the language writes them through the browser's Intl, the CSV downloads unchanged;
and the option checked in each face's words."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import interior, make, open_site, run
from playwright.sync_api import Page

from generator import build, locales
from generator.errors import UserError
from generator.options import Options
from generator.validate import validate

DAY = 86400
MARCH_1 = 1709251200  # 2024-03-01T00:00Z


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    """Three days of March 2024: France 1234.5 every day, Germany and Norway less; Brazil has no data."""
    return pd.DataFrame({"country": ["FRA", "DEU", "NOR"] * 3,
                         "unixtime": [MARCH_1 + d * DAY for d in range(3) for _ in range(3)],
                         "m": [1234.5, 10.0, 640.0] * 3})


def hover(page: Page, name: str) -> str:
    """The tooltip's text with the pointer over a country, as a person reads it."""
    x, y = page.evaluate("([x, y]) => choropleth.pixelOf(x, y)", list(interior(name)))
    box = page.locator("#map").bounding_box()
    page.mouse.move(5, 5)
    page.mouse.move(box["x"] + x, box["y"] + y)
    return page.locator("#tooltip-text").text_content()


def test_tags_read_as_bcp_47_and_each_language_has_a_table() -> None:
    assert locales.normalize("de") == "de"
    assert locales.normalize("zh_cn") == "zh-CN"
    assert locales.normalize("pt-br") == "pt-BR"
    assert locales.normalize("zh-hans-cn") == "zh-Hans-CN"
    assert {"en", "zh", "fr", "de", "es", "pt", "ja"} <= set(locales.available())
    for bad in ("", "german", "d", "de-", "de--DE", "de DE", "1de"):
        with pytest.raises(UserError, match="not a language tag"):
            locales.normalize(bad)
    with pytest.raises(UserError, match=r"no words in 'xx'; choose one of de, en, es, fr, ja, pt, zh"):
        locales.normalize("xx-YY")


def test_every_table_says_the_english_words_with_the_same_blanks() -> None:
    english = locales.table("en")
    blanks = {k: set(re.findall(r"\{\w+\}", v)) for k, v in english.items()}
    for lang in locales.available():
        table = locales.table(lang)
        assert set(table) <= set(english), (lang, set(table) - set(english))  # a key English lacks is a typo
        for key, word in table.items():
            assert word.strip() and set(re.findall(r"\{\w+\}", word)) == blanks[key], (lang, key, word)
        singular = {k.partition(".")[0] for k in table if "." in k}  # a counted word has its "other" form
        assert all(f"{k}.other" in table for k in singular), lang


def test_a_word_a_table_lacks_is_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "en.json").write_text(json.dumps({"play": "Play", "noData": "no data"}), encoding="utf-8")
    (tmp_path / "xx.json").write_text(json.dumps({"_language": "X", "play": "Xplay"}), encoding="utf-8")
    monkeypatch.setattr(locales, "LOCALES", tmp_path)
    locales.table.cache_clear()
    try:
        assert locales.words("xx-YY") == {"play": "Xplay", "noData": "no data"}
    finally:
        locales.table.cache_clear()


def test_a_bad_locale_is_one_line_in_each_face(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"^--locale 'xx' is not|^--locale 'xx': the player has no words"):
        validate(Options(locale="xx"))
    proc = run("--locale", "klingon", "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    assert "--locale 'klingon' is not a language tag" in proc.stderr and "de, en, es, fr, ja, pt, zh" in proc.stderr
    import build_site

    with pytest.raises(build_site.UserError, match=r"^locale='xx': the player has no words in 'xx'"):
        build_site.choropleth(None, locale="xx")
    (tmp_path / "site.toml").write_text('[[map]]\nname = "a"\nlocale = "xx"\n', encoding="utf-8")
    proc = run("--config", str(tmp_path / "site.toml"))
    assert proc.returncode == 2 and "site.toml:3: map 'a': locale = 'xx': the player has no words" in proc.stderr, \
        proc.stderr


def test_german_numbers_dates_and_words(tmp_path: Path, rows: pd.DataFrame, page: Page) -> None:
    site = make(tmp_path, rows, interval="1d", locale="de", title="Fälle", source="Statistisches Amt",
                preview_frame="none")
    open_site(page, (site / "index.html").as_uri())
    assert page.locator("html").get_attribute("lang") == "de"
    # The tooltip groups and points as German does; the class range too ("1.234,5" where English shows "1,234.5").
    text = hover(page, "France")
    assert re.fullmatch(r"France: 1\.234,5 \([\d.,]+ – [\d.,]+\)", text), text
    assert hover(page, "Brazil") == "Brazil: keine Daten"
    # Dates in German, month names spelled: the timeline's ends, the time shown and the title.
    assert page.locator("#time-first").text_content() == "1. März 2024"
    assert page.locator("#time-last").text_content() == "3. März 2024"
    assert page.locator("#time").text_content() == "1. März 2024"
    assert page.evaluate("choropleth.title(1)") == "Fälle — 2. März 2024"
    assert page.get_by_role("button", name="Abspielen").is_visible()
    # Speeds in data time, as the timeline offers them: "1 day/s" as Intl writes it in German.
    speeds = page.evaluate("window.choroplethPlayer.speedChoices().map(c => c.label)")
    assert speeds[0] == page.evaluate("new Intl.NumberFormat('de', {style: 'unit', unit: 'day-per-second'}).format(1)")
    assert speeds[0] != "1 day/s" and speeds[-1] == "60 Bilder/s", speeds
    assert page.locator("#table-toggle").text_content() == "Tabelle"
    assert page.locator("#share").text_content() == "Teilen"
    # The timeline's words too: "Go to" and its message for text that is no time, in German.
    assert page.locator("label[for=goto]").text_content() == "Gehe zu"
    assert page.locator("#keys-help").get_attribute("aria-label") == "Tastenkürzel"
    page.locator("#goto").fill("bald")
    page.locator("#goto").press("Enter")
    assert page.locator("#goto-message").text_content() == \
        "Keine Zeitangabe: schreiben Sie sie als 1. März 2024 oder 2024-03-01T14:00"
    assert page.locator(".credits .source").text_content() == "Quelle: Statistisches Amt"
    page.locator("#table-toggle").click()
    assert page.locator("#table-caption").text_content() == "m (Summe je 1d) am 1. März 2024"
    assert page.locator("#table-view tbody tr", has_text="France").locator("td").first.text_content() == "1.234,5"
    # The download stays machine-readable: English numbers, no grouping.
    csv = page.evaluate("choropleth.download('frame.csv').then(b => b.text())")
    assert "France,FRA,1234.5," in csv, csv


def test_german_legend_labels_point_as_german_does(tmp_path: Path, page: Page) -> None:
    rows = pd.DataFrame({"country": ["FRA", "DEU"], "unixtime": [MARCH_1, MARCH_1], "m": [1500.25, 0.5]})
    shown = {}
    for tag in ("en", "de"):
        (tmp_path / tag).mkdir()
        open_site(page, (make(tmp_path / tag, rows, locale=tag, classes=4) / "index.html").as_uri())
        shown[tag] = hover(page, "France").partition("(")[2].rstrip(")")  # the class's range, from the legend's labels
    # The same numbers, decimals and order, in each language's marks.
    swap = str.maketrans({",": ".", ".": ","})
    assert shown["de"] == shown["en"].translate(swap) and shown["de"] != shown["en"], shown


def test_chinese_words(tmp_path: Path, rows: pd.DataFrame, page: Page) -> None:
    rows.to_csv(tmp_path / "rows.csv", index=False)
    build.build(build.Options(csv=str(tmp_path / "rows.csv"), out=str(tmp_path / "map.html"), interval="1d",
                              locale="zh-CN"))
    open_site(page, (tmp_path / "map.html").as_uri())  # one file: the words are inline, as the rest
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.title() == "动画地图"  # the title where none is given
    assert page.locator("#play").get_attribute("aria-label") == "播放"
    page.locator("#play").click()
    assert page.locator("#play").get_attribute("aria-label") == "暂停"
    page.locator("#play").click()
    assert hover(page, "Brazil") == "Brazil: 无数据"
    assert page.locator("#time-first").text_content() == "2024年3月1日"


def test_a_time_format_stays_with_the_month_names_of_the_language(tmp_path: Path, rows: pd.DataFrame,
                                                                   page: Page) -> None:
    site = make(tmp_path, rows, interval="1d", locale="fr", time_format="%d %B %Y")
    open_site(page, (site / "index.html").as_uri())
    assert page.locator("#time-first").text_content() == "01 mars 2024"
    csv = page.evaluate("choropleth.pin('France').then(() => choropleth.download('series.csv')).then(b => b.text())")
    assert "01 March 2024" in csv, csv  # the CSV's times in English, as programs read them
