"""In Chromium: an admin adds an account on the accounts page and that person signs in with it
(issue 13, item 1); a ticket's page draws the SOP's flow with its current step marked (item 6).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.web.flow import node_id
from tests.browser.accounts import add_account, signin_tab, submit_password
from tests.browser.conftest import Tab
from tests.browser.demo import Demo

ADMIN_PASSWORD = "kata-sandi-admin-1"
NEW_PASSWORD = "kata-sandi-rina-1"


@pytest.fixture
def admin_site(browser: Any, tmp_path: Path) -> Iterator[Tab]:
    add_account(tmp_path / "data", "ani", ADMIN_PASSWORD, "--name", "Ani Admin", "--role", "admin")
    with signin_tab(browser, tmp_path, 390, 844) as tab:
        yield tab


def sign_in(tab: Tab, login: str, password: str, target: str) -> None:
    tab.open(target)
    submit_password(tab, login, password)
    tab.page.wait_for_url(f"**{target}")


def test_an_admin_adds_an_account_and_that_person_signs_in(admin_site: Tab) -> None:
    tab, page = admin_site, admin_site.page
    sign_in(tab, "ani", ADMIN_PASSWORD, "/web/admin/accounts")
    assert page.locator("nav a", has_text="Akun").count() == 1
    form = page.locator("#add-account")
    form.locator('input[name="login"]').fill("rina")
    form.locator('input[name="display_name"]').fill("Rina Wulandari")
    form.locator('input[name="password"]').fill("pendek")
    form.locator('input[name="roles"][value="operator"]').check()
    form.locator('input[name="actors"][value="staff"]').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_load_state()
    assert "Kata sandi harus 10 sampai 1024 karakter." in form.inner_text()
    tab.errors[:] = [e for e in tab.errors if "status of 422" not in e]  # the refusal's status
    assert form.locator('input[name="login"]').input_value() == "rina"  # kept for the retry
    form.locator('input[name="password"]').fill(NEW_PASSWORD)
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/web/admin/accounts?hasil=added&akun=rina")
    assert "Akun rina ditambahkan." in page.locator("p.done").inner_text()
    row = page.locator('#accounts tr[data-login="rina"]')
    assert "Rina Wulandari" in row.inner_text() and "Staff" in row.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1  # fits a phone
    tab.shot("admin-accounts")
    page.click("nav form.logout-inline button")
    page.wait_for_url("**/web/login")
    sign_in(tab, "rina", NEW_PASSWORD, "/web/tickets")
    assert page.locator("nav .who").inner_text().startswith("rina")
    assert page.locator("nav a", has_text="Akun").count() == 0


def test_the_ticket_page_draws_the_flow_with_the_current_step_marked(tab: Tab, demo: Demo) -> None:
    page = tab.page
    tab.open(f"/web/tickets/{demo.looped}")
    page.wait_for_function("document.body.dataset.flow === 'drawn'", timeout=30_000)
    svg = page.locator("#flow-diagram > svg").first
    assert svg.is_visible()
    current = page.locator("#flow-diagram svg .node.current")
    assert current.count() == 1
    step = page.locator("#runs tr.run").last.get_attribute("data-step")
    assert step is not None
    assert f"flowchart-{node_id(step)}-" in (current.get_attribute("id") or "")
    assert page.locator("#flow-diagram svg .node.visited").count() >= 2
    legend = page.locator(".ticket-flow .legend").inner_text()
    assert "langkah sekarang" in legend and "sudah dilalui" in legend
    tab.shot("ticket-flow")
