"""The ticket page's forms in a real browser (issue 13, items 3 and 4): a staff member signed in
with the login form posts the next event with a photo, sees its thumbnail; a form left open
while the ticket changed is refused with the message and the ticket as it is now."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from PIL import Image

from api.auth import hash_token
from tests.api.journey import Journey
from tests.browser.conftest import Tab
from tests.e2e.conftest import Server, http
from tests.support.seed import ROOT

SOP = ROOT / "tests" / "sops" / "files" / "form-desk-v1.yaml"
TOKENS = {
    "desk": ("desk-secret", ["operator"], ["staff"]),
    "root": ("root-secret", ["admin"], ["*"]),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("forms")
    (tmp / "sop" / "form-desk").mkdir(parents=True)
    (tmp / "sop" / "form-desk" / "v1.yaml").write_text(SOP.read_text("utf-8"), "utf-8")
    tokens = [
        {"name": n, "sha256": hash_token(s), "roles": r, "actors": a}
        for n, (s, r, a) in TOKENS.items()
    ]
    (tmp / "tokens.yaml").write_text(yaml.safe_dump({"tokens": tokens}), "utf-8")
    args = ["--sop-root", str(tmp / "sop"), "--tokens", str(tmp / "tokens.yaml")]
    srv = Server(tmp / "data", tmp / "server.log", args, dev=False)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def api(server: Server) -> Journey:
    bearer = {"Authorization": "Bearer root-secret"}
    return Journey(lambda m, p, b, h: http(server.base, m, p, b, {**h, **bearer}))


def new_ticket(server: Server) -> str:
    return str(api(server).call("POST", "/v1/tickets", {"sop": "form-desk"}, expect=201).body["id"])


@pytest.fixture(params=[(1400, 900), (390, 844)], ids=["desktop", "phone"])
def desk(browser: Any, server: Server, request: pytest.FixtureRequest) -> Iterator[Tab]:
    """A tab signed in as the counter staff, through the token form."""
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    tab = Tab(context.new_page(), server.base)
    tab.open("/web/login")
    tab.page.fill("input[name=token]", "desk-secret")
    with tab.page.expect_navigation():
        tab.page.click('form.login:has(input[name="token"]) button[type="submit"]')
    tab.page.wait_for_load_state("networkidle")
    assert "/web/login" not in tab.page.url
    yield tab
    context.close()
    # A refused form's page answers 409: the browser notes the status, nothing else may fail.
    assert [e for e in tab.errors if "status of 409" not in e] == []


def fits(tab: Tab) -> None:
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= tab.page.viewport_size["width"], f"the page is {width} px wide"


def test_a_staff_member_posts_the_next_event_with_a_photo(
    desk: Tab, server: Server, tmp_path: Path
) -> None:
    tid = new_ticket(server)
    photo = tmp_path / "berkas.png"
    img = Image.new("RGB", (320, 200), (20, 140, 90))
    out = io.BytesIO()
    img.save(out, format="PNG")
    photo.write_bytes(out.getvalue())
    page = desk.page
    desk.open(f"/web/tickets/{tid}")
    fits(desk)
    form = page.locator('details[data-event="checked"]')
    form.locator("summary").click()
    form.locator('input[name="note"]').fill("Berkas asli diterima")
    form.locator('input[name="photo"]').set_input_files(str(photo))
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/web/tickets/{tid}?sent=checked")
    assert page.locator(".notice.sent").inner_text().startswith("Tersimpan: Berkas lengkap")
    thumb = page.locator("#fields img").first
    thumb.scroll_into_view_if_needed()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert thumb.evaluate("img => img.naturalWidth") > 0
    timeline = page.locator("#timeline").inner_text()
    assert "desk" in timeline and "Berkas lengkap" in timeline
    assert api(server).ticket(tid)["state"] == "answer"
    fits(desk)
    desk.shot(f"form-posted-{page.viewport_size['width']}")


def test_a_stale_form_is_refused_with_the_message(desk: Tab, server: Server) -> None:
    tid = new_ticket(server)
    page = desk.page
    desk.open(f"/web/tickets/{tid}")
    form = page.locator('details[data-event="noted"]')
    form.locator("summary").click()
    form.locator('textarea[name="remarks"]').fill("Catatan saya")
    # Meanwhile a colleague records a check through the API.
    api(server).post(tid, "noted", "staff", {"note": "Dicatat rekan"})
    with page.expect_navigation() as nav:
        form.locator("button[type=submit]").click()
    assert nav.value is not None and nav.value.status == 409
    page.wait_for_load_state("networkidle")
    assert "Tiket ini berubah selama Anda mengisi formulir" in page.locator(".stale").inner_text()
    assert "Dicatat rekan" in page.locator("#timeline").inner_text()
    kept = page.locator('details[data-event="noted"] textarea[name="remarks"]')
    assert kept.input_value() == "Catatan saya"
    assert len(api(server).call("GET", f"/v1/tickets/{tid}/events").body["items"]) == 2
    fits(desk)
    desk.shot(f"form-stale-{page.viewport_size['width']}")
