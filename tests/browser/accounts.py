"""Personal accounts for the browser tests, made as an administrator makes them (`sop user add`
on the server's data folder), and a server that signs people in (a tokens file, no --dev)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from engine.cli import main
from tests.browser.conftest import Tab
from tests.e2e.conftest import Server
from tests.e2e.test_web_signin_over_http import tokens_file


def add_account(data: Path, login: str, password: str, *options: str) -> None:
    """`sop user add LOGIN OPTIONS --password-stdin` into the data folder `data`."""
    added = CliRunner().invoke(
        main,
        ["user", "add", login, *options, "--password-stdin", "--data-dir", str(data)],
        input=f"{password}\n",
    )
    assert added.exit_code == 0, added.output


def signin_server(tmp_path: Path, args: Sequence[str] = ()) -> Server:
    """A started `sop serve` on tmp_path/data with the sign-in test's tokens file."""
    tokens = ["--tokens", str(tokens_file(tmp_path / "tokens.yaml"))]
    server = Server(tmp_path / "data", tmp_path / "server.log", [*tokens, *args], dev=False)
    return server.start()


@contextmanager
def signin_tab(browser: Any, tmp_path: Path, width: int, height: int) -> Iterator[Tab]:
    """A tab (Indonesian locale, `width` x `height`) on a `signin_server`; no console error may
    have appeared by the end."""
    server = signin_server(tmp_path)
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    tab = Tab(context.new_page(), server.base)
    try:
        yield tab
    finally:
        context.close()
        server.stop()
    assert tab.errors == [], f"console errors: {tab.errors}"


def submit_password(tab: Tab, login: str, password: str) -> None:
    """Fill in the sign-in form's login and password, and send it."""
    tab.page.fill('input[name="login"]', login)
    tab.page.fill('input[name="password"]', password)
    tab.page.click('form.login:has(input[name="login"]) button[type="submit"]')
