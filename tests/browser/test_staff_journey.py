"""Issue 13's whole journey in Chromium against a real `sop serve --tokens`: a staff member
signs in with a personal account, lands on "Tugas saya", finds the ticket waiting on them,
posts its next event through the form built from the SOP with a photo, and sees the
thumbnail; the log entry names them."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image

from api.auth import hash_token
from tests.api.journey import Journey
from tests.browser.accounts import add_account, submit_password
from tests.browser.conftest import Tab
from tests.e2e.conftest import Server, http
from tests.support.seed import ROOT

SOP = ROOT / "tests" / "sops" / "files" / "form-desk-v1.yaml"
SEEDER = "journey-seeder-secret-0123456789"
PASSWORD = "kata-sandi-siti-1"


def test_a_staff_member_works_a_ticket_from_their_list_to_its_photo(
    browser: Any, tmp_path: Path
) -> None:
    (tmp_path / "sop" / "form-desk").mkdir(parents=True)
    (tmp_path / "sop" / "form-desk" / "v1.yaml").write_text(SOP.read_text("utf-8"), "utf-8")
    data = tmp_path / "data"
    add_account(data, "siti", PASSWORD, "--name", "Siti", "--role", "operator", "--actor", "staff")
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        "tokens:\n"
        f"  - {{name: seeder, sha256: {hash_token(SEEDER)}, roles: [admin], actors: ['*']}}\n",
        encoding="utf-8",
    )
    args = ["--sop-root", str(tmp_path / "sop"), "--tokens", str(tokens)]
    server = Server(data, tmp_path / "server.log", args, dev=False).start()
    auth = {"Authorization": f"Bearer {SEEDER}"}
    api = Journey(lambda m, p, b, h: http(server.base, m, p, b, {**h, **auth}))
    photo = tmp_path / "berkas.png"
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (200, 120, 30)).save(out, format="PNG")
    photo.write_bytes(out.getvalue())
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="id-ID")
    tab = Tab(context.new_page(), server.base)
    try:
        tid = api.call("POST", "/v1/tickets", {"sop": "form-desk"}, expect=201).body["id"]
        page = tab.page
        tab.open("/web/login")
        submit_password(tab, "siti", PASSWORD)
        page.wait_for_url("**/web/work")
        row = page.locator("#work tbody tr", has_text=tid)
        assert "1. Memeriksa kelengkapan berkas" in row.inner_text()
        tab.shot("journey-1-work")
        with page.expect_navigation():
            row.locator(f'a[href$="/web/tickets/{tid}"]').click()
        form = page.locator('details[data-event="checked"]')
        form.locator("summary").click()
        assert "Foto berkas yang diterima" in page.content()  # the step's kelengkapan
        form.locator('input[name="note"]').fill("Berkas asli diterima")
        form.locator('input[name="photo"]').set_input_files(str(photo))
        tab.shot("journey-2-form")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        thumb = page.locator("#fields img").first
        thumb.scroll_into_view_if_needed()
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
        )
        assert 0 < thumb.evaluate("img => img.naturalWidth") <= 240  # a thumbnail, not the photo
        tab.shot("journey-3-thumbnail")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
        (entry,) = [e for e in api.timeline(tid) if e["event"] == "checked"]
        assert entry["user"] == "siti"
        photos = entry["data"]["photo"]
        photos = photos if isinstance(photos, list) else [photos]
        assert len(photos[0]["sha256"]) == 64  # the file's hash is in the log entry
        # The ticket waits on the agency now: it left Siti's list.
        tab.open("/web/work")
        assert page.locator("#work tbody tr", has_text=tid).count() == 0
        assert tab.errors == [], f"console errors: {tab.errors}"
    finally:
        context.close()
        server.stop()
