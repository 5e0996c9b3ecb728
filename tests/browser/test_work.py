""" "Tugas saya" in Chromium against a real `sop serve --tokens`: a staff member and an agency
officer sign in with their personal accounts, land on their own work, and see the tickets
waiting on them (the officer: only their agency's)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.auth import hash_token
from tests.api.journey import Journey
from tests.browser.accounts import add_account, submit_password
from tests.browser.conftest import Tab
from tests.e2e.conftest import Server, http
from tests.support.seed import OTHER_CHANNEL, ROUTING

SEEDER = "work-seeder-secret-0123456789"
PASSWORDS = {"siti": "kata-sandi-siti-1", "bambang": "kata-sandi-bambang-1"}


def add(data: Path, login: str, *options: str) -> None:
    add_account(data, login, PASSWORDS[login], *options)


def routed(j: Journey, agency: str, ref: str) -> str:
    """A ticket at step 8: the staff's step, which the agency's first answer finishes."""
    ticket = j.create(dict(OTHER_CHANNEL), external_ref=ref)["id"]
    j.to_authority_check(ticket)
    j.post(ticket, "within_authority", "staff", {**ROUTING, "agency": agency})
    j.post(ticket, "routed", "staff")
    return ticket


@pytest.fixture
def office(browser: Any, tmp_path: Path) -> Iterator[tuple[Server, dict[str, str], Any]]:
    data = tmp_path / "data"
    add(data, "siti", "--name", "Siti Aminah", "--role", "operator", "--actor", "staff")
    add(
        data,
        "bambang",
        *("--name", "Bambang", "--role", "agency", "--actor", "agency"),
        *("--scope", "agency=DSDABM"),
    )
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        "tokens:\n"
        f"  - {{name: seeder, sha256: {hash_token(SEEDER)}, roles: [admin], actors: ['*']}}\n",
        encoding="utf-8",
    )
    server = Server(data, tmp_path / "server.log", ["--tokens", str(tokens)], dev=False)
    server.start()
    auth = {"Authorization": f"Bearer {SEEDER}"}
    j = Journey(lambda m, p, b, h: http(server.base, m, p, b, {**h, **auth}))
    tickets = {
        "fresh": j.create(dict(OTHER_CHANNEL), external_ref="WK-100")["id"],
        "dsdabm": routed(j, "DSDABM", "WK-200"),
        "dinkes": routed(j, "DINKES", "WK-300"),
    }
    try:
        yield server, tickets, browser
    finally:
        server.stop()


def signed_in(browser: Any, server: Server, login: str, width: int = 1200) -> Tab:
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="id-ID")
    tab = Tab(context.new_page(), server.base)
    tab.open("/web/login")
    submit_password(tab, login, PASSWORDS[login])
    tab.page.wait_for_url("**/web/work")
    return tab


def listed(tab: Tab) -> list[str]:
    return tab.page.locator("#work tbody tr td:first-child code").all_inner_texts()


def test_a_staff_member_lands_on_their_work_and_filters_it(office: Any) -> None:
    server, tickets, browser = office
    tab = signed_in(browser, server, "siti")
    page = tab.page
    assert page.locator("h1").inner_text() == "Tugas saya"
    assert page.locator("nav.top a").nth(1).inner_text() == "Tugas saya"  # first, after the name
    assert sorted(listed(tab)) == sorted(tickets.values())
    fresh_row = page.locator("#work tbody tr", has_text=tickets["fresh"])
    assert "1. Menerima" in fresh_row.inner_text() and "sisa 1 hari" in fresh_row.inner_text()
    assert "***" not in fresh_row.inner_text()
    tab.shot("work-staff")

    # A count per step is a link that filters the list.
    page.click('#work-counts li[data-step="await_agency_response"] a')
    page.wait_for_url("**/web/work?state=await_agency_response")
    assert sorted(listed(tab)) == sorted([tickets["dsdabm"], tickets["dinkes"]])
    assert page.locator('select[name="state"]').input_value() == "await_agency_response"
    # The search box: an external reference.
    page.select_option('select[name="state"]', "")
    page.fill('input[name="q"]', "WK-300")
    page.click('form.filters button[type="submit"]')
    page.wait_for_load_state()
    assert listed(tab) == [tickets["dinkes"]]
    tab.shot("work-staff-search")
    tab.page.context.close()
    assert tab.errors == [], f"console errors: {tab.errors}"


def test_an_agency_officer_sees_only_their_agencys_ticket_on_a_phone(office: Any) -> None:
    server, tickets, browser = office
    tab = signed_in(browser, server, "bambang", width=390)
    assert listed(tab) == [tickets["dsdabm"]]
    row = tab.page.locator("#work tbody tr").first.inner_text()
    assert "8. " in row and "DSDABM" in row
    assert tab.page.evaluate("document.scrollingElement.scrollWidth") <= 390
    tab.shot("work-agency-phone")
    tab.page.context.close()
    assert tab.errors == [], f"console errors: {tab.errors}"
