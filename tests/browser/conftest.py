"""A real `sop serve --dev --clock manual` with a known data set, and headless Chromium.

Debian's chromium (/usr/bin/chromium) is driven by Playwright's Python package; Playwright's
own browser downloads are never used. Without either, every test here is skipped and says why
(tests/conftest.py, through tests.support.groups.BROWSER).
Each test fails on a console error or an uncaught page error, and saves a screenshot of what
it looked at under test-output/screenshots/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.demo import Demo, seed, sop_root
from tests.e2e.conftest import Server
from tests.support.groups import chromium_path
from tests.support.seed import ROOT

CHROMIUM = chromium_path()
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = ROOT / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Demo]]:
    tmp = tmp_path_factory.mktemp("browser")
    root, rules = sop_root(tmp)
    server = Server(
        tmp / "data", tmp / "server.log", ["--sop-root", str(root), "--rules-dir", str(rules)]
    )
    server.start()
    try:
        yield server, seed(server.journey())
    finally:
        server.stop()


class Tab:
    """A page of the browser with the server's address, its console errors, and screenshots."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def open(self, path: str) -> Any:
        resp = self.page.goto(self.base + path, wait_until="networkidle")
        assert resp is not None and resp.status == 200, f"{path}: HTTP {resp and resp.status}"
        return resp

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def tab(browser: Any, site: tuple[Server, Demo]) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="id-ID")
    opened = Tab(context.new_page(), site[0].base)
    yield opened
    context.close()
    assert opened.errors == [], f"console errors: {opened.errors}"


@pytest.fixture
def demo(site: tuple[Server, Demo]) -> Demo:
    return site[1]
