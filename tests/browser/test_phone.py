"""The pages on a phone (390 x 844, as an agency officer in the field holds one), and the ticket
page in the SOP's words: Indonesian dates, no event id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from engine.spec.load import load_revision
from tests.browser.conftest import Tab
from tests.browser.demo import Demo
from tests.e2e.conftest import Server
from tests.support.seed import ROOT

SOP = "surabaya-complaints"
WIDTH = 390
DATE = re.compile(
    r"\b\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|"
    r"November|Desember) \d{4} \d{2}\.\d{2} (WIB|WITA|WIT)\b"
)


@pytest.fixture
def phone(browser: Any, site: tuple[Server, Demo]) -> Iterator[Tab]:
    context = browser.new_context(
        viewport={"width": WIDTH, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
    )
    opened = Tab(context.new_page(), site[0].base)
    yield opened
    context.close()
    assert opened.errors == [], f"console errors: {opened.errors}"


def _pages(demo: Demo) -> dict[str, str]:
    return {
        "tickets": "/web/tickets",
        "ticket": f"/web/tickets/{demo.looped}",
        "sop": f"/web/sops/{SOP}/r1",
        "monev": f"/web/reports/monev?sop={SOP}&from=2025-01-01&to=2025-02-01",
    }


@pytest.mark.parametrize("name", ["tickets", "ticket", "sop", "monev"])
def test_no_page_scrolls_sideways_on_a_phone(phone: Tab, demo: Demo, name: str) -> None:
    phone.open(_pages(demo)[name])
    wide = phone.page.evaluate("document.scrollingElement.scrollWidth")
    phone.shot(f"phone-{name}")
    assert wide <= WIDTH, f"{name}: the page is {wide} px wide on a {WIDTH} px screen"


def test_the_ticket_page_speaks_the_sops_words(tab: Tab, demo: Demo) -> None:
    spec = load_revision(ROOT / "sop" / SOP / "r1.yaml", ROOT / "rules")
    event_ids = {ev.name for step in spec.steps for ev in step.events}
    assert "substance_not_ok" in event_ids  # the spec read is the one the ticket went through
    tab.open(f"/web/tickets/{demo.looped}")
    text = tab.page.locator("main").inner_text()
    assert DATE.search(text), text[:400]
    said = set(re.findall(r"[A-Za-z_]+", text))
    assert not said & event_ids, f"event ids on the page: {sorted(said & event_ids)}"
    assert tab.page.locator("#timeline b.event[data-event]").count() >= 10  # ids in the DOM only
    tab.shot("ticket-words")
