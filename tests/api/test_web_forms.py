"""The ticket page's forms (issue 13, items 3 and 4): a form per event the signed-in person may
post now, built from the SOP; posting it as that person; refusals in Indonesian beside the
field with nothing changed; a stale form refused with the ticket as it is now; thumbnails."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from tests.api.conftest import TOKENS, app_on, csrf_of, sign_in
from tests.support.seed import ROOT

SOP = ROOT / "tests" / "sops" / "files" / "form-desk-v1.yaml"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VERSION = re.compile(r'name="version" value="(\d+)"')


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with app_on(tmp_path, {"sop/form-desk/v1.yaml": SOP.read_text("utf-8")}) as app:
        yield app


def png(size: tuple[int, int] = (600, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def root(token: str = "root") -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[token][0]}"}


def new_ticket(app: Flask) -> str:
    resp = app.test_client().post("/v1/tickets", json={"sop": "form-desk"}, headers=root())
    assert resp.status_code == 201, resp.get_json()
    return str(resp.get_json()["id"])


def api_ticket(app: Flask, tid: str) -> dict[str, Any]:
    return app.test_client().get(f"/v1/tickets/{tid}", headers=root()).get_json()


def timeline(app: Flask, tid: str) -> list[dict[str, Any]]:
    return app.test_client().get(f"/v1/tickets/{tid}/events", headers=root()).get_json()["items"]


def forms_part(html: str) -> str:
    """The "Tindakan" part of a ticket page."""
    return html.split('<h2 id="tindakan">', 1)[1].split("<h2>Batas waktu terbuka", 1)[0]


def field_div(html: str, event: str, field: str) -> str:
    """One field's block in one event's form."""
    form = forms_part(html).split(f'data-event="{event}"', 1)[1].split("</details>", 1)[0]
    return form.split(f'data-field="{field}"', 1)[1].split('<div class="field', 1)[0]


def send(
    client: FlaskClient, tid: str, event: str, fields: dict[str, Any], **files: tuple[bytes, str]
) -> Any:
    page = client.get(f"/web/tickets/{tid}").get_data(as_text=True)
    version = VERSION.search(page)
    assert version, "the page has no form"
    data: dict[str, Any] = {"csrf": csrf_of(page), "event": event, "version": version.group(1)}
    data.update(fields)
    for key, (content, name) in files.items():
        data[key] = (io.BytesIO(content), name)
    return client.post(f"/web/tickets/{tid}/events", data=data, content_type="multipart/form-data")


@pytest.fixture
def desk(app: Flask) -> FlaskClient:
    return sign_in(app.test_client(), "desk")


def test_each_event_the_person_may_post_is_a_form_built_from_the_sop(
    app: Flask, desk: FlaskClient
) -> None:
    tid = new_ticket(app)
    html = desk.get(f"/web/tickets/{tid}").get_data(as_text=True)
    part = forms_part(html)
    # The desk acts as the counter staff: its two events, not the agency's.
    assert 'data-event="noted"' in part and 'data-event="checked"' in part
    assert 'data-event="asked"' not in part and "Minta penjelasan" not in part
    assert "Catat pemeriksaan" in part and "Berkas lengkap" in part
    assert 'enctype="multipart/form-data"' in part and 'name="csrf"' in part
    # Controls by field type, labels from the SOP.
    assert "<textarea" in field_div(html, "noted", "remarks") and "Uraian" in part
    kind = field_div(html, "noted", "kind")
    assert "<select" in kind and '<option value="perpanjangan"' in kind
    assert 'type="number"' in field_div(html, "noted", "pages")
    assert 'type="date"' in field_div(html, "noted", "visit_date")
    assert 'type="checkbox"' in field_div(html, "noted", "urgent")
    photo = field_div(html, "checked", "photo")
    assert 'type="file"' in photo and 'accept="image/jpeg,image/png"' in photo
    assert "multiple" not in photo and "wajib diisi" in photo  # the step's kelengkapan
    assert "wajib diisi" in field_div(html, "checked", "note")  # the event requires it
    assert "wajib diisi" not in field_div(html, "noted", "note")
    assert "Kelengkapan: Foto berkas yang diterima" in part
    assert 'name="actor" value="staff"' in part and "sebagai Petugas Loket" in part
    # The admin may act as anyone: the agency's event too. An auditor gets no form.
    admin = sign_in(app.test_client(), "root")
    assert 'data-event="asked"' in forms_part(admin.get(f"/web/tickets/{tid}").get_data(True))
    audit = sign_in(app.test_client(), "audit")
    seen = forms_part(audit.get(f"/web/tickets/{tid}").get_data(as_text=True))
    assert "<form" not in seen and "Tidak ada tindakan" in seen


def test_posting_a_form_moves_the_ticket_as_the_person_and_shows_the_photo(
    app: Flask, desk: FlaskClient
) -> None:
    tid = new_ticket(app)
    picture = png()
    resp = send(desk, tid, "checked", {"note": "Berkas asli"}, photo=(picture, "berkas.png"))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    assert resp.headers["Location"] == f"/web/tickets/{tid}?sent=checked"
    assert api_ticket(app, tid)["state"] == "answer"
    last = timeline(app, tid)[-1]
    assert last["event"] == "checked" and last["user"] == "desk" and last["actor"] == "staff"
    sha = hashlib.sha256(picture).hexdigest()
    assert last["data"]["photo"]["sha256"] == sha
    page = desk.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Tersimpan: Berkas lengkap." in page
    thumb = f"/web/tickets/{tid}/files/{sha}?thumb=1"
    assert f'src="{thumb}"' in page and f'href="/web/tickets/{tid}/files/{sha}"' in page
    small = desk.get(thumb)
    assert small.status_code == 200 and small.mimetype in ("image/jpeg", "image/png")
    with Image.open(io.BytesIO(small.data)) as img:
        assert max(img.size) <= 240 and img.size == (240, 160)
    whole = desk.get(f"/web/tickets/{tid}/files/{sha}")
    assert whole.status_code == 200 and whole.data == picture
    # The desk is no agency: the next step's form is not offered to it.
    assert "<form" not in forms_part(page)


def test_a_missing_required_field_is_refused_beside_it_and_nothing_changes(
    app: Flask, desk: FlaskClient
) -> None:
    tid = new_ticket(app)
    before = timeline(app, tid)
    resp = send(desk, tid, "checked", {"note": "Tanpa foto"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    photo = field_div(html, "checked", "photo")
    assert "Wajib diisi." in photo and "field-error" in photo
    assert 'value="Tanpa foto"' in field_div(html, "checked", "note")  # what was typed stays
    assert timeline(app, tid) == before and api_ticket(app, tid)["state"] == "check"
    # A value its type refuses: a number that is none.
    bad = send(desk, tid, "noted", {"pages": "dua"})
    assert bad.status_code == 422
    assert "Harus berupa angka." in field_div(bad.get_data(as_text=True), "noted", "pages")
    assert timeline(app, tid) == before


def test_a_file_of_the_wrong_kind_by_content_is_refused(app: Flask, desk: FlaskClient) -> None:
    tid = new_ticket(app)
    resp = send(desk, tid, "checked", {"note": "x"}, photo=(PDF, "foto.png"))
    assert resp.status_code == 422
    photo = field_div(resp.get_data(as_text=True), "checked", "photo")
    assert "Jenis berkas tidak diterima" in photo and "JPEG, PNG" in photo
    assert len(timeline(app, tid)) == 1 and api_ticket(app, tid)["state"] == "check"


def test_a_stale_form_is_refused_with_the_ticket_as_it_is_now(
    app: Flask, desk: FlaskClient
) -> None:
    tid = new_ticket(app)
    page = desk.get(f"/web/tickets/{tid}").get_data(as_text=True)
    old = VERSION.search(page)
    assert old
    # Someone else records a check meanwhile, through the API.
    moved = app.test_client().post(
        f"/v1/tickets/{tid}/events",
        json={"type": "noted", "actor": "staff", "data": {"note": "Dicatat rekan"}},
        headers=root(),
    )
    assert moved.status_code == 200, moved.get_json()
    resp = desk.post(
        f"/web/tickets/{tid}/events",
        data={
            "csrf": csrf_of(page),
            "event": "noted",
            "version": old.group(1),
            "remarks": "Catatan saya",
        },
    )
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "Tiket ini berubah selama Anda mengisi formulir" in html
    assert "Dicatat rekan" in html  # the new state: the colleague's entry
    new = VERSION.search(html)
    assert new and int(new.group(1)) == int(old.group(1)) + 1
    assert "Catatan saya</textarea>" in field_div(html, "noted", "remarks")
    assert len(timeline(app, tid)) == 2


def test_a_form_without_the_page_csrf_token_is_refused(app: Flask, desk: FlaskClient) -> None:
    tid = new_ticket(app)
    page = desk.get(f"/web/tickets/{tid}").get_data(as_text=True)
    version = VERSION.search(page)
    assert version
    body = {"event": "noted", "version": version.group(1), "note": "x"}
    assert desk.post(f"/web/tickets/{tid}/events", data=body).status_code == 403
    forged = {**body, "csrf": "f" * 64}
    assert desk.post(f"/web/tickets/{tid}/events", data=forged).status_code == 403
    assert len(timeline(app, tid)) == 1


def test_a_reader_without_write_role_or_actor_gets_403(app: Flask) -> None:
    tid = new_ticket(app)
    audit = sign_in(app.test_client(), "audit")
    page = audit.get(f"/web/tickets/{tid}").get_data(as_text=True)
    body = {"csrf": csrf_of(page), "event": "noted", "version": "1", "note": "x"}
    resp = audit.post(f"/web/tickets/{tid}/events", data=body)
    assert resp.status_code == 403 and "Tidak diizinkan" in resp.get_data(as_text=True)
    desk = sign_in(app.test_client(), "desk")  # may write, but is not the agency
    page = desk.get(f"/web/tickets/{tid}").get_data(as_text=True)
    body = {"csrf": csrf_of(page), "event": "asked", "version": "1", "reply": "x"}
    assert desk.post(f"/web/tickets/{tid}/events", data=body).status_code == 403
    assert len(timeline(app, tid)) == 1


def test_an_auditor_cannot_fetch_a_personal_file(app: Flask, desk: FlaskClient) -> None:
    tid = new_ticket(app)
    card = png((40, 30))
    resp = send(desk, tid, "noted", {}, id_card=(card, "ktp.png"))
    assert resp.status_code == 303, resp.get_data(as_text=True)
    sha = hashlib.sha256(card).hexdigest()
    assert desk.get(f"/web/tickets/{tid}/files/{sha}").status_code == 200
    audit = sign_in(app.test_client(), "audit")
    assert audit.get(f"/web/tickets/{tid}/files/{sha}").status_code == 403
    assert audit.get(f"/web/tickets/{tid}/files/{sha}?thumb=1").status_code == 403
    assert sha not in audit.get(f"/web/tickets/{tid}").get_data(as_text=True)


def test_a_file_is_served_in_a_sandbox(app: Flask, desk: FlaskClient) -> None:
    tid = new_ticket(app)
    card = png((40, 30))
    assert send(desk, tid, "noted", {}, id_card=(card, "ktp.png")).status_code == 303
    sha = hashlib.sha256(card).hexdigest()
    whole = desk.get(f"/web/tickets/{tid}/files/{sha}")
    assert whole.headers["Content-Security-Policy"].startswith("sandbox")
    assert whole.headers["X-Content-Type-Options"] == "nosniff"
    page = desk.get(f"/web/tickets/{tid}")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'self'")
