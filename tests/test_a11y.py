"""The player for every person: what a screen reader says about the map and each step, every control named by
its visible label (WCAG 2.5.3), the table's keyboard path, and axe-core finding nothing in each state."""
from __future__ import annotations

import re
import time

import pytest
from accessibility import audited_page, axe_violations
from playwright.sync_api import Browser, Page, expect

SIZES = [(1280, 800), (390, 844)]


def when(meta: dict, i: int) -> str:
    """Frame i's time as the demo shows it."""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(meta["start"] + i * meta["step"]))


@pytest.mark.parametrize("width,height", SIZES)
def test_axe_finds_nothing_as_loaded_with_the_table_open_and_with_pins(browser: Browser, demo_server: str,
                                                                       width: int, height: int) -> None:
    with audited_page(browser, demo_server + "index.html", width, height) as page:
        assert axe_violations(page) == [], "as loaded"
        page.keyboard.press("ArrowRight")  # a step: the live region says the time
        expect(page.locator("#said")).not_to_be_empty()
        page.get_by_role("button", name="Table").click()
        expect(page.get_by_role("table")).to_be_visible()
        assert axe_violations(page) == [], "with the table open"
        page.evaluate("Promise.all([choropleth.pin('France'), choropleth.pin('Brazil')])")
        expect(page.get_by_role("button", name="Unpin Brazil")).to_be_visible()
        assert axe_violations(page) == [], "with pins"
        # The audit sees what it is for: the name the Series CSV button had before is a violation (WCAG 2.5.3).
        page.evaluate("document.getElementById('download-series').ariaLabel = 'Download CSV of the pinned series'")
        assert [v.split(" ")[0] for v in axe_violations(page)] == ["label-content-name-mismatch"]


@pytest.mark.parametrize("width,height", SIZES)
def test_axe_finds_nothing_with_a_range_zoomed(browser: Browser, demo_server: str, width: int, height: int) -> None:
    with audited_page(browser, demo_server + "index.html", width, height) as page:
        meta = page.evaluate("choropleth.meta")
        page.evaluate("choropleth.setRange(48, 95)")
        # The map's name says the range it plays within; the handles say their times.
        label = meta["metrics"][0]["label"]
        expect(page.locator("#map")).to_have_accessible_name(
            f"Animated map: {label} at {when(meta, 48)}, within {when(meta, 48)} to {when(meta, 95)}")
        expect(page.get_by_role("slider", name="Range start")).to_have_attribute("aria-valuetext", when(meta, 48))
        expect(page.get_by_role("slider", name="Range end")).to_have_attribute("aria-valuetext", when(meta, 95))
        assert axe_violations(page) == [], "with a range"
        page.get_by_role("button", name="Keys").click()
        expect(page.get_by_role("region", name="Keyboard shortcuts")).to_be_visible()
        page.get_by_role("textbox", name="Go to").fill("soon")
        page.get_by_role("textbox", name="Go to").press("Enter")
        expect(page.locator("#goto-message")).to_contain_text("Not a time")
        assert axe_violations(page) == [], "with the keys' help and a go-to message"


def test_the_maps_name_and_what_a_step_says(page: Page, demo_server: str) -> None:
    page.goto(demo_server + "index.html")
    page.evaluate("choropleth.ready")
    meta = page.evaluate("choropleth.meta")
    labels = [m["label"] for m in meta["metrics"]]
    the_map = page.locator("#map")
    said = page.locator("#said")
    expect(said).to_have_attribute("aria-live", "polite")
    # As loaded: the map is named with the title, the metric and the time; nothing is said.
    expect(page.get_by_role("img", name=f"Animated map: {labels[0]} at {when(meta, 0)}", exact=True)).to_be_visible()
    expect(said).to_have_text("")

    # A step by button or key: the new time is said, and the map's name follows.
    page.get_by_role("button", name="Next frame").click()
    expect(said).to_have_text(when(meta, 1))
    expect(the_map).to_have_accessible_name(f"Animated map: {labels[0]} at {when(meta, 1)}")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("End")
    last = meta["frames"] - 1
    expect(said).to_have_text(when(meta, last))
    expect(the_map).to_have_accessible_name(f"Animated map: {labels[0]} at {when(meta, last)}")

    # Many steps in a burst (a key held down): what is said follows at most every 400 ms, and ends on the
    # frame shown; the name likewise.
    page.evaluate("""() => { window.changes = {said: 0, name: 0};
        new MutationObserver((m) => { changes.said += m.length; }).observe(document.getElementById('said'),
            {childList: true, characterData: true, subtree: true});
        new MutationObserver((m) => { changes.name += m.length; }).observe(document.getElementById('map'),
            {attributes: true, attributeFilter: ['aria-label']}); }""")
    page.keyboard.press("Home")
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    expect(said).to_have_text(when(meta, 20))
    expect(the_map).to_have_accessible_name(f"Animated map: {labels[0]} at {when(meta, 20)}")
    time.sleep(0.5)
    changes = page.evaluate("changes")
    assert 1 <= changes["said"] <= 6 and 1 <= changes["name"] <= 6, changes  # not 21 times

    # Playing: the name says so once, and nothing changes at each frame; pausing names and says the time.
    page.evaluate("changes.said = changes.name = 0")
    page.keyboard.press(" ")
    expect(the_map).to_have_accessible_name(f"Animated map: {labels[0]}, playing")
    start = page.evaluate("choropleth.frame")
    time.sleep(1.0)
    assert page.evaluate("choropleth.frame") > start + 5
    assert page.evaluate("changes") == {"said": 0, "name": 1}
    page.keyboard.press(" ")
    stopped = page.evaluate("choropleth.frame")
    expect(said).to_have_text(when(meta, stopped))
    expect(the_map).to_have_accessible_name(f"Animated map: {labels[0]} at {when(meta, stopped)}")

    # Another metric: the name follows.
    page.get_by_role("combobox", name="Metric").select_option("1")
    expect(the_map).to_have_accessible_name(f"Animated map: {labels[1]} at {when(meta, stopped)}")

    # On the scrubber, the slider says its own time (aria-valuetext): the live region does not repeat it.
    before = said.text_content()
    page.get_by_role("slider", name="Frame").focus()
    page.keyboard.press("Home")
    expect(page.get_by_role("slider", name="Frame")).to_have_attribute("aria-valuetext", when(meta, 0))
    expect(the_map).to_have_accessible_name(f"Animated map: {labels[1]} at {when(meta, 0)}")
    time.sleep(0.5)
    expect(said).to_have_text(before)


def visible_label(page: Page, k: int) -> str:
    """The text a person sees as the k-th visible control's label: a button's text, or the text of the label
    around an input or a list (without the list's own text), or of a label pointing at it."""
    return page.locator("button:visible, select:visible, input:visible").nth(k).evaluate("""(el) => {
        if (el instanceof HTMLButtonElement) return el.innerText;
        const label = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`));
        if (!label) return '';
        const copy = label.cloneNode(true);
        copy.querySelectorAll('select, input').forEach((c) => c.remove());
        return copy.textContent; }""")


def words(text: str) -> str:
    """Letters and digits in lower case, single spaces between them: what speech input matches."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def test_every_control_is_named_by_its_visible_label(page: Page, demo_server: str) -> None:
    page.goto(demo_server + "index.html")
    page.evaluate("choropleth.ready")
    page.get_by_role("button", name="Table").click()
    page.evaluate("choropleth.pin('France')")
    expect(page.get_by_role("button", name="Unpin France")).to_be_visible()
    controls = page.locator("button:visible, select:visible, input:visible")
    checked = []
    for k in range(controls.count()):
        label = words(visible_label(page, k))
        if not label:  # ▶, |◀: symbols alone, no words to say
            continue
        snapshot = controls.nth(k).aria_snapshot().splitlines()[0]  # - role "name"
        name = re.match(r'- \w+ "((?:[^"\\]|\\.)*)"', snapshot)
        assert name and label in words(name.group(1)), f"{label!r} is named {snapshot!r}"
        checked.append(label)
    for label in ("speed", "loop", "show", "go to", "keys", "metric", "table", "reset view", "png", "series csv",
                  "france", "download csv of this frame", "region", "value", "class"):
        assert label in checked, checked
    expect(page.get_by_role("combobox", name="Speed", exact=True)).to_be_visible()
    series = page.get_by_role("button", name="Series CSV", exact=True)
    expect(series).to_have_accessible_description("The pinned regions' series, as CSV")


def test_the_tables_first_tab_stop_is_its_first_row_and_it_says_enter_pins(page: Page, demo_server: str) -> None:
    page.goto(demo_server + "index.html")
    page.evaluate("choropleth.ready")
    page.get_by_role("button", name="Table").click()
    table = page.get_by_role("table")
    # What Enter does is written beside the table, and is the table's description.
    hint = "Enter on a row pins its region; ↑ and ↓ move between rows."
    expect(page.get_by_text(hint)).to_be_visible()
    expect(table).to_have_accessible_description(hint)

    def first_row() -> str:
        return page.locator("#table-view tbody tr").first.locator("th").inner_text()

    def focused_row() -> str:
        return page.evaluate("document.activeElement.closest('tr') ? "
                             "document.activeElement.closest('tr').cells[0].textContent : document.activeElement.id")

    # From the header's last button, Tab goes to the first row shown, in any order.
    page.get_by_role("button", name="Class").focus()
    page.keyboard.press("Tab")
    assert focused_row() == first_row() == "Afghanistan"  # (not region 0's row, Fiji)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    moved = focused_row()  # the Tab stop moved with the arrows...
    page.get_by_role("button", name="Class").click()  # ... and sorting by class puts it back on the first row
    assert first_row() not in (moved, "Afghanistan")
    page.keyboard.press("Tab")
    assert focused_row() == first_row()
    # Enter pins the focused row's region, as the hint says.
    region = page.evaluate("Number(document.activeElement.dataset.region)")
    page.keyboard.press("Enter")
    page.wait_for_function("r => choropleth.pinned.includes(r)", arg=region)
    expect(page.get_by_role("button", name=f"Unpin {first_row()}")).to_be_visible()
