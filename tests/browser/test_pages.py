"""Every page in headless Chromium against a real server: what a person would check."""

from __future__ import annotations

from tests.browser.conftest import SHOTS, Tab
from tests.browser.demo import Demo
from tests.support import groups

SOP = "surabaya-complaints"
LATE_RED = "rgb(253, 231, 229)"  # --late-bg of web.css
CHANGED = "rgb(255, 241, 184)"  # --changed


def background(tab: Tab, selector: str) -> str:
    return tab.page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


def test_the_sop_page_reads_like_the_paper_form(tab: Tab) -> None:
    tab.open(f"/web/sops/{SOP}/r1")
    page = tab.page
    rows = page.locator("#kegiatan tbody tr")
    assert rows.count() == 16
    assert rows.nth(0).locator("td").nth(1).inner_text() == "Menerima inquiry dari masyarakat"
    assert page.locator("#kegiatan tbody tr >> nth=0 >> i").inner_text() == "inquiry"
    headers = page.locator("#kegiatan thead th").all_inner_texts()
    for heading in ("NO", "KEGIATAN", "PELAKSANA", "MUTU BAKU", "KELENGKAPAN", "WAKTU", "OUTPUT"):
        assert heading in headers
    assert "Staff" in headers and "Ketua Tim Kerja" in headers
    identity = page.locator("#identitas").inner_text()
    assert "NOMOR SOP" in identity and "061.1/Dinkominfo/KP/10175" in identity
    assert "NIP. 197405091994121001" in identity
    assert page.locator("#step-9 .time").inner_text() == "3 hari kerja"
    assert page.locator("#step-16 td.perf[data-mark] svg").count() == 1  # the team leader's
    tab.shot("sop-form")
    page.emulate_media(media="print")
    assert page.locator("nav.top").is_hidden()
    page.pdf(path=str(SHOTS / "sop-form.pdf"), landscape=True, print_background=True)
    assert (SHOTS / "sop-form.pdf").stat().st_size > 10_000


def test_the_flow_is_drawn_as_an_svg_diagram(tab: Tab) -> None:

    groups.MERMAID.require()
    tab.open(f"/web/sops/{SOP}/r1")
    page = tab.page
    page.wait_for_function("document.body.dataset.flow === 'drawn'", timeout=30_000)
    svg = page.locator("#flow-diagram > svg").first
    assert svg.is_visible()
    text = svg.text_content() or ""
    assert "1. Menerima inquiry dari masyarakat" in text and "kembali ke langkah 9" in text
    assert page.locator("#flow-diagram svg .node").count() >= 18  # 16 steps, the start and the end
    svg.screenshot(path=str(SHOTS / "sop-flow.png"))


def test_a_late_step_is_marked_late_on_the_ticket_page(tab: Tab, demo: Demo) -> None:
    tab.open(f"/web/tickets/{demo.looped}")
    late = tab.page.locator('#runs tr[data-step="await_agency_response"]')
    assert late.locator(".verdict").inner_text() == "terlambat"
    assert background(tab, '#runs tr[data-step="await_agency_response"] td') == LATE_RED
    on_time = tab.page.locator('#runs tr[data-step="receive_inquiry"] .verdict')
    assert on_time.inner_text() == "tepat waktu"
    loops = tab.page.locator('#runs tr[data-step="follow_up"]')
    assert loops.count() == 2  # sent back once for correction
    sent_back = tab.page.locator('#timeline b.event[data-event="substance_not_ok"]')
    assert sent_back.inner_text() == "kembali ke langkah 9"  # no label in r1: what it did
    tab.shot("ticket")


def test_the_tickets_list_marks_overdue_tickets(tab: Tab, demo: Demo) -> None:
    tab.open("/web/tickets?overdue=yes")
    table = tab.page.locator("#tickets").inner_text()
    assert demo.late in table and demo.fresh not in table
    assert tab.page.locator("#tickets .late-badge").count() >= 1
    tab.shot("tickets")
    tab.open(f"/web/tickets/{demo.late}")
    deadlines = tab.page.locator("#deadlines").inner_text()
    assert "langkah 9. Menindaklanjuti pengaduan" in deadlines and "lewat" in deadlines
    assert "follow_up" not in deadlines
    assert "<b>" in tab.page.locator("#fields").inner_text()  # shown as text, not markup


def test_the_diff_page_shows_the_changed_time_limit(tab: Tab) -> None:
    tab.open(f"/web/sops/{SOP}/diff?from=r1&to=r2")
    changed = tab.page.locator("#steps-diff td.c-time_limit.diff-changed")
    assert changed.all_inner_texts() == ["3 hari kerja", "2 hari kerja"]
    assert background(tab, "#steps-diff td.c-time_limit.diff-changed") == CHANGED
    assert "2 working days" in tab.page.locator("#changes").inner_text()
    tab.shot("sop-diff")


def test_the_monev_page_has_its_charts(tab: Tab) -> None:
    tab.open(f"/web/reports/monev?sop={SOP}&from=2025-01-01&to=2025-02-01")
    page = tab.page
    assert page.locator("svg.chart").count() == 3
    bars = page.locator("#chart-share-steps rect.bar")
    assert bars.count() >= 10 and bars.first.bounding_box()["width"] > 100
    assert page.locator("#chart-share-scopes text").filter(has_text="DSDABM").count() == 1
    assert page.locator('[data-figure="received"]').inner_text() == "4"
    tab.shot("monev")


def test_the_index_links_every_page(tab: Tab) -> None:
    tab.open("/web/")
    page = tab.page
    assert page.locator("a", has_text="bandingkan dengan r1").count() == 1
    page.locator("a", has_text="Rekap monev").click()
    page.wait_for_load_state("networkidle")
    assert "/web/reports/monev" in page.url
    tab.shot("index-to-monev")
