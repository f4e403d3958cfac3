"""WebKit and Firefox, driven for real through WebDriver: WebKit by Selenium and Debian's WebKitWebDriver
(WebKitGTK) on a virtual X display of its own, Firefox by Mozilla's Marionette client (marionette-driver) on
firefox-esr, headless, in a temporary profile. Both share one small interface so that one test drives either.
Each takes an HTTP proxy: the test's own server, which then sees every request a page makes to any host."""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol

import numpy as np
import pytest
from PIL import Image

# Always given by path: Selenium Manager would try to download a driver, and cannot here.
WEBKIT_DRIVER = shutil.which("WebKitWebDriver")  # Debian's webkit2gtk-driver
FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
ENGINES = ["webkit", "firefox"]

# W3C WebDriver key values (https://w3c.github.io/webdriver/#keyboard-actions).
KEYS = {"ArrowRight": "\ue014", "End": "\ue010", "Home": "\ue011", " ": " "}


class Engine(Protocol):
    name: str
    version: str

    def goto(self, url: str) -> None: ...
    def js(self, script: str, *args: Any) -> Any: ...  # a function body; a returned promise is awaited
    def actions(self, sources: list[dict]) -> None: ...  # W3C input actions (keys, pointer)
    def png(self) -> bytes: ...  # the viewport as a person sees it
    def set_window(self, width: int, height: int) -> None: ...


def press(engine: Engine, key: str) -> None:
    k = KEYS[key]
    engine.actions([{"type": "key", "id": "keyboard", "actions": [{"type": "keyDown", "value": k},
                                                                  {"type": "keyUp", "value": k}]}])


def move_mouse(engine: Engine, x: float, y: float) -> None:
    """A real mouse move to viewport CSS point (x, y), from the corner (a move to where it is fires nothing)."""
    moves = [{"type": "pointerMove", "x": 0, "y": 0}, {"type": "pointerMove", "x": int(x), "y": int(y)}]
    engine.actions([{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": moves}])


def _settled_viewport(engine: Engine) -> list[int]:
    """The viewport once it stops changing: without a window manager a resize lands a moment later."""
    last = None
    for _ in range(30):
        now = engine.js("return [innerWidth, innerHeight]")
        if now == last:
            break
        last = now
        time.sleep(0.1)
    return list(last)


def set_viewport(engine: Engine, width: int, height: int) -> None:
    """Size the window so that the page's viewport is width × height CSS pixels (the window's own bars vary)."""
    outer, inner = [width, height], [0, 0]
    for _ in range(5):  # corrected by what the last size gave, until it gives the viewport asked for
        engine.set_window(*outer)
        inner = _settled_viewport(engine)
        if inner == [width, height]:
            return
        outer = [outer[0] + width - inner[0], outer[1] + height - inner[1]]
    raise AssertionError(f"the window gives a {inner[0]}×{inner[1]} viewport, not {width}×{height}")


@contextmanager
def xvfb() -> Iterator[str]:
    """A virtual X display on a free number (Xvfb picks it and tells it through -displayfd); yields ':N'."""
    read, write = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1920x1200x24", "-nolisten", "tcp"],
                            pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as told:
        number = told.readline().strip()
    try:
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit code {proc.wait(timeout=10)})")
        yield f":{number}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class WebKit:
    name = "webkit"

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self.version = "WebKitGTK " + driver.capabilities["browserVersion"]

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def actions(self, sources: list[dict]) -> None:
        from selenium.webdriver.remote.command import Command
        self.driver.execute(Command.W3C_ACTIONS, {"actions": sources})

    def png(self) -> bytes:
        return self.driver.get_screenshot_as_png()

    def set_window(self, width: int, height: int) -> None:
        self.driver.set_window_rect(0, 0, width, height)


class Firefox:
    name = "firefox"

    def __init__(self, client: Any) -> None:
        self.client = client
        self.version = "Firefox " + client.session_capabilities["browserVersion"]

    def goto(self, url: str) -> None:
        self.client.navigate(url)

    def js(self, script: str, *args: Any) -> Any:  # in the page's own scope, not Marionette's sandbox
        return self.client.execute_script(script, script_args=list(args), sandbox=None)

    def actions(self, sources: list[dict]) -> None:
        self.client.actions.perform(sources)

    def png(self) -> bytes:
        return self.client.screenshot(format="binary", full=False)

    def set_window(self, width: int, height: int) -> None:
        self.client.set_window_rect(x=0, y=0, width=width, height=height)


@contextmanager
def webkit(proxy: str) -> Iterator[Engine]:
    webdriver = pytest.importorskip("selenium.webdriver", reason="no Selenium here (pip install -e '.[test]')")
    from selenium.webdriver.common.proxy import Proxy
    from selenium.webdriver.webkitgtk.service import Service
    if not WEBKIT_DRIVER or not shutil.which("Xvfb"):
        pytest.skip("no WebKitWebDriver or Xvfb here (scripts/test installs Debian's webkit2gtk-driver and xvfb)")
    options = webdriver.WebKitGTKOptions()
    options.proxy = Proxy({"proxyType": "manual", "httpProxy": proxy, "sslProxy": proxy})
    with xvfb() as display:
        service = Service(WEBKIT_DRIVER, env={**os.environ, "DISPLAY": display})
        driver = webdriver.WebKitGTK(service=service, options=options)
        try:
            yield WebKit(driver)
        finally:
            driver.quit()


@contextmanager
def firefox(proxy: str) -> Iterator[Engine]:
    marionette = pytest.importorskip("marionette_driver.marionette",
                                     reason="no marionette-driver here (pip install -e '.[test]')")
    if not FIREFOX:
        pytest.skip("no Firefox here (scripts/test installs Debian's firefox-esr)")
    host, port = proxy.split(":")
    prefs = {"network.proxy.type": 1, "network.proxy.http": host, "network.proxy.http_port": int(port),
             "network.proxy.ssl": host, "network.proxy.ssl_port": int(port),
             # Firefox's own remote settings would go out through the proxy: pointed nowhere (the variable
             # below lets the pref count in a release build).
             "services.settings.server": "data:,#remote-settings-dummy/v1"}
    with tempfile.TemporaryDirectory() as logs:
        with pytest.MonkeyPatch.context() as env:  # Firefox's environment, read at its start
            env.setenv("MOZ_REMOTE_SETTINGS_DEVTOOLS", "1")
            client = marionette.Marionette(bin=FIREFOX, port=0, headless=True, prefs=prefs,
                                           gecko_log=os.path.join(logs, "gecko.log"))
        try:
            client.start_session()
            yield Firefox(client)
        finally:
            client.cleanup()


def launch(name: str, proxy: str) -> Any:
    """The engine `name` with `proxy` (host:port) as its proxy for every request; skipped when not installed."""
    return {"webkit": webkit, "firefox": firefox}[name](proxy)


def rgb(png: bytes) -> np.ndarray:
    """A PNG's pixels, rows × columns × RGB, as ints."""
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
