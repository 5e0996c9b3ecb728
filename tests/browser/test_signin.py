"""Signing in and out in Chromium against a real `sop serve --tokens`: the form, the session
cookie the browser keeps, and the sign-out button."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.accounts import add_account, signin_tab, submit_password
from tests.browser.conftest import Tab
from tests.e2e.test_web_signin_over_http import SECRET

PASSWORD = "kata-sandi-siti-1"


@pytest.fixture
def signed_out(browser: Any, tmp_path: Path) -> Iterator[Tab]:
    add_account(
        tmp_path / "data",
        *("siti", PASSWORD, "--name", "Siti Aminah", "--role", "operator", "--actor", "staff"),
    )
    with signin_tab(browser, tmp_path, 1200, 800) as tab:
        yield tab


def test_a_person_signs_in_with_the_form_and_out_with_the_button(signed_out: Tab) -> None:
    tab, page = signed_out, signed_out.page
    tab.open("/web/tickets?overdue=yes")  # no session: the login form, which comes back here
    assert page.url.endswith("/web/login?next=/web/tickets?overdue%3Dyes")
    page.fill('input[name="token"]', SECRET)
    page.click('form.login:has(input[name="token"]) button[type="submit"]')
    page.wait_for_url("**/web/tickets?overdue=yes")
    assert page.locator("nav .who").inner_text().startswith("desk")
    (session,) = [c for c in page.context.cookies() if c["name"] == "sop_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax" and session["path"] == "/web"
    assert SECRET not in session["value"]
    assert page.evaluate("document.cookie") == ""  # no script of the page can read it
    tab.shot("signed-in")
    page.click("nav form.logout-inline button")
    page.wait_for_url("**/web/login")
    assert not [c for c in page.context.cookies() if c["name"] == "sop_session"]
    tab.open("/web/tickets")
    assert "/web/login" in page.url


def test_five_wrong_passwords_lock_the_account(signed_out: Tab) -> None:
    tab, page = signed_out, signed_out.page
    tab.open("/web/tickets")
    for attempt in (*["bukan-kata-sandinya"] * 5, PASSWORD):
        submit_password(tab, "siti", attempt)
        page.wait_for_load_state()
        assert "/web/login" in page.url
        assert "akun sedang dikunci" in page.locator("p.problem").inner_text()
    tab.shot("locked")
    # Each refusal is a 401 on purpose; Chromium logs it as a failed resource load.
    tab.errors[:] = [e for e in tab.errors if "status of 401" not in e]


def test_a_person_signs_in_with_login_and_password(signed_out: Tab) -> None:
    tab, page = signed_out, signed_out.page
    tab.open("/web/tickets")
    submit_password(tab, "siti", PASSWORD)
    page.wait_for_url("**/web/tickets")
    assert page.locator("nav .who").inner_text().startswith("siti")
