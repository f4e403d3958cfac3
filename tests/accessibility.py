"""Accessibility checks shared by the page tests: axe-core (from npm, as scripts/test installs it beside ESLint)
run inside a page, and a page it can run in. Any test that puts the player in a new state can audit it:

    with audited_page(browser, demo_server + "index.html", 390, 844) as page:
        ...  # bring the page to the state to check
        assert axe_violations(page) == []
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Error, Page

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


@contextmanager
def audited_page(browser: Browser, url: str, width: int = 1280, height: int = 800) -> Iterator[Page]:
    """The page at `url`, first frame drawn, in a browser context of its own with a width × height viewport.
    The site's Content-Security-Policy lets in only its own scripts, so the context bypasses it
    (`bypass_csp`): axe-core can be injected. Errors the page throws fail the test."""
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        page.evaluate("choropleth.ready")
        yield page
        assert not errors, errors
    finally:
        context.close()


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations (its default rules: WCAG 2.0–2.2 A and AA and best practices) on the page as it
    is now, one line each: the rule, its impact, what it asks, and where (CSS selectors). [] when none."""
    if not AXE.is_file():
        pytest.fail("axe-core is not in node_modules: run the README's test command (bash scripts/test), "
                    "which installs it")
    if not page.evaluate("typeof window.axe === 'object'"):  # once per document
        try:
            page.add_script_tag(path=AXE)
        except Error as err:
            raise AssertionError("axe-core could not be added to the page: open it in a context made with "
                                 "bypass_csp=True (audited_page)") from err
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"])
            for v in result["violations"]]
