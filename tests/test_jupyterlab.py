"""The map's output in JupyterLab, driven by Chromium as a person opens a notebook: untrusted (someone
else's file, sanitized: no iframe, no script) it reads what to do; trusted, it plays, without the
note, in a frame as tall as its page."""
from __future__ import annotations

import copy
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from conftest import _free_port
from nbformat.sign import NotebookNotary
from playwright.sync_api import Page
from test_notebook import ROWS, run


@pytest.fixture()
def lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Path]]:
    """A JupyterLab server on a notebook folder, its configuration and trust database its own."""
    folder, home = tmp_path / "notebooks", tmp_path / "jupyter"
    folder.mkdir()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    for name, value in env.items():
        if name.startswith("JUPYTER"):
            monkeypatch.setenv(name, value)
    port, token = _free_port(), secrets.token_hex(16)
    server = subprocess.Popen([sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}",
                               "--ip=127.0.0.1", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={folder}",
                               "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                               "--LabApp.expose_app_in_browser=True"],  # window.jupyterapp, to run a command
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield f"{base}/lab/tree/{{}}?token={token}&reset", folder
    finally:
        server.terminate()  # stops its kernels; on a busy machine that can take long: then the group is killed
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(10)


def test_untrusted_map_says_what_to_do_and_trusted_one_plays(lab: tuple[str, Path], page: Page,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    url, folder = lab
    nb = run([ROWS, "build_site.choropleth(rows, metric='cases', interval='1h', title='Cases')"], folder, monkeypatch)
    NotebookNotary().sign(nb)  # into the server's trust database (JUPYTER_DATA_DIR), as "Trust Notebook" does
    nbformat.write(nb, folder / "mine.ipynb")
    theirs = copy.deepcopy(nb)  # the database holds digests of contents: this one's is not there
    theirs.metadata["authors"] = [{"name": "someone else"}]
    nbformat.write(theirs, folder / "theirs.ipynb")
    base = url.split("/lab/")[0]
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith((base, "about:", "data:"))
               else route.abort())

    page.goto(url.format("theirs.ipynb"))
    output = page.locator(".jp-OutputArea-output").filter(has_text="not trusted")
    output.wait_for(timeout=60_000)
    assert "trust it" in output.inner_text() and '.save("map.html")' in output.inner_text()
    assert page.locator(".jp-OutputArea-output iframe").count() == 0
    # What the note says to do: "Trust Notebook", the command its palette lists, run on the notebook in focus
    # once JupyterLab enables it (a palette opened by a shortcut while the page is still busy can be lost: CI).
    page.locator(".jp-Notebook").first.click()
    page.wait_for_function("() => window.jupyterapp && jupyterapp.commands.isEnabled('notebook:trust')",
                           timeout=60_000)
    assert page.evaluate("jupyterapp.commands.label('notebook:trust')") == "Trust Notebook"
    page.evaluate("() => { jupyterapp.commands.execute('notebook:trust'); }")  # settles when the dialog closes
    page.get_by_role("button", name="Trust").click(timeout=60_000)
    page.locator(".jp-OutputArea-output iframe").wait_for(timeout=60_000)
    assert page.get_by_text("not trusted").count() == 0

    page.goto(url.format("mine.ipynb"))
    frame_element = page.locator(".jp-OutputArea-output iframe")
    frame_element.wait_for(timeout=60_000)
    frame = frame_element.element_handle().content_frame()
    assert frame is not None
    frame.wait_for_function("window.choropleth && choropleth.meta.title === 'Cases'")
    frame.evaluate("choropleth.ready")
    page.wait_for_function("() => !document.body.innerText.includes('not trusted')")
    for _ in range(50):  # the frame takes the height its page posts
        outer = frame_element.evaluate("f => f.getBoundingClientRect().height")
        inner = frame.evaluate("document.documentElement.getBoundingClientRect().height")
        if abs(outer - inner) <= 2:
            break
        page.wait_for_timeout(100)
    assert abs(outer - inner) <= 2 and outer != 640, (outer, inner)
