"""Photos and documents for `file` fields: POST /v1/tickets/{id}/files, then an event naming
them; limits read from the content, EXIF removed, one copy per content, auditors refused a
personal field's file."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import stream_encode_multipart

from tests.api.conftest import TOKENS, app_on, make_app
from tests.support.seed import ROOT

SOP = ROOT / "tests" / "sops" / "files" / "photo-desk-v1.yaml"
GPS = 0x8825  # the EXIF GPS IFD


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    with app_on(tmp_path, {"sop/photo-desk/v1.yaml": SOP.read_text("utf-8")}) as app:
        yield app


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKENS[token][0]}"}


def jpeg(*, gps: bool = False, size: tuple[int, int] = (32, 24)) -> bytes:
    img = Image.new("RGB", size, (200, 40, 40))
    exif = Image.Exif()
    exif[0x010F] = "KameraDinas"  # Make
    if gps:
        exif[GPS] = {1: "S", 2: (6.0, 10.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 200)).save(out, format="PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def new_ticket(client: FlaskClient) -> str:
    resp = client.post("/v1/tickets", json={"sop": "photo-desk"}, headers=auth("root"))
    assert resp.status_code == 201, resp.get_json()
    return str(resp.get_json()["id"])


def upload(
    client: FlaskClient, tid: str, field: str, *files: tuple[str, bytes], token: str = "root"
) -> Any:
    parts = MultiDict([("file", FileStorage(io.BytesIO(c), filename=n)) for n, c in files])
    stream, length, boundary = stream_encode_multipart(parts)
    with stream:  # encoded here: the test client would spool a large body to a file left open
        body = stream.read(length)
    return client.post(
        f"/v1/tickets/{tid}/files?field={field}",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=auth(token),
    )


def stored(app: Flask) -> list[Path]:
    root = Path(app.config["SOP_DATA_DIR"]) / "files"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def post(client: FlaskClient, tid: str, data: dict[str, Any]) -> Any:
    body = {"type": "reported", "actor": "clerk", "data": data}
    return client.post(f"/v1/tickets/{tid}/events", json=body, headers=auth("root"))


def test_a_photo_uploaded_then_named_by_an_event_puts_its_hash_in_the_log(
    app: Flask, client: FlaskClient
) -> None:
    tid = new_ticket(client)
    resp = upload(client, tid, "photo", ("depan.jpg", jpeg()))
    assert resp.status_code == 201, resp.get_json()
    (ref,) = resp.get_json()["files"]
    assert ref["type"] == "image/jpeg" and ref["name"] == "depan.jpg"
    path = stored(app)[0]
    assert path.relative_to(Path(app.config["SOP_DATA_DIR"])).parts == (
        "files",
        ref["sha256"][:2],
        ref["sha256"][2:],
    )
    assert hashlib.sha256(path.read_bytes()).hexdigest() == ref["sha256"]
    assert path.stat().st_size == ref["size"]

    assert post(client, tid, {"photo": ref}).status_code == 200
    entry = client.get(f"/v1/tickets/{tid}/events", headers=auth("root")).get_json()["items"][-1]
    assert entry["data"]["photo"] == ref  # the hash is in the chained log entry
    got = client.get(f"/v1/tickets/{tid}/files/{ref['sha256']}", headers=auth("audit"))
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert got.data == path.read_bytes()


def test_the_same_bytes_twice_are_stored_once(app: Flask, client: FlaskClient) -> None:
    tid = new_ticket(client)
    first = upload(client, tid, "attachments", ("a.pdf", PDF)).get_json()["files"][0]
    again = upload(client, tid, "attachments", ("salinan.pdf", PDF)).get_json()["files"][0]
    assert first["sha256"] == again["sha256"] and again["name"] == "salinan.pdf"
    assert len(stored(app)) == 1


def test_a_file_over_the_size_limit_is_refused_naming_field_and_limit(
    app: Flask, client: FlaskClient
) -> None:
    tid = new_ticket(client)
    big = jpeg() + b"\0" * (1024 * 1024)  # a JPEG past its end marker: over the 1 MB of Foto
    resp = upload(client, tid, "photo", ("besar.jpg", big))
    assert resp.status_code == 422
    problem = resp.get_json()
    assert problem["code"] == "file_refused" and "Foto" in problem["detail"]
    assert list(problem["errors"]) == ["photo"] and problem["limit"] == {"max_size_mb": 1}
    assert stored(app) == []


@pytest.mark.parametrize(
    ("field", "name", "content", "kind"),
    [
        ("attachments", "surat.pdf", png(), "image/png"),  # a PNG named .pdf is a PNG
        ("photo", "foto.jpg", b"bukan foto, hanya teks\n" * 10, None),  # text named .jpg
        ("photo", "dokumen.jpg", PDF, "application/pdf"),  # Foto takes images only
        ("photo", "palsu.jpg", b"\xff\xd8\xff" + b"x" * 100, None),  # a JPEG header only
    ],
    ids=["png-named-pdf", "text-named-jpg", "pdf-for-photo", "jpeg-header-only"],
)
def test_the_kind_is_read_from_the_content_not_the_name(
    app: Flask, client: FlaskClient, field: str, name: str, content: bytes, kind: str | None
) -> None:
    tid = new_ticket(client)
    resp = upload(client, tid, field, (name, content))
    if kind == "image/png":  # Lampiran takes every kind: stored as what it is
        assert resp.status_code == 201
        assert resp.get_json()["files"][0]["type"] == "image/png"
        return
    assert resp.status_code == 422
    problem = resp.get_json()
    assert problem["code"] == "file_refused" and list(problem["errors"]) == [field]
    assert "accept" in problem["limit"]
    assert stored(app) == []


def test_more_files_than_the_field_holds_are_refused(app: Flask, client: FlaskClient) -> None:
    tid = new_ticket(client)
    resp = upload(client, tid, "attachments", ("1.pdf", PDF), ("2.png", png()), ("3.jpg", jpeg()))
    assert resp.status_code == 422
    problem = resp.get_json()
    assert problem["limit"] == {"max_files": 2} and "Lampiran" in problem["detail"]
    assert stored(app) == []
    two = upload(client, tid, "attachments", ("1.pdf", PDF), ("2.png", png())).get_json()
    assert post(client, tid, {"attachments": two["files"]}).status_code == 200
    single = upload(client, tid, "photo", ("a.jpg", jpeg()), ("b.jpg", jpeg(size=(9, 9))))
    assert single.get_json()["limit"] == {"max_files": 1}


def test_gps_exif_is_removed_unless_the_field_keeps_it(app: Flask, client: FlaskClient) -> None:
    original = jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS)  # the test photo has GPS
    tid = new_ticket(client)
    ref = upload(client, tid, "photo", ("lokasi.jpg", original)).get_json()["files"][0]
    kept = upload(client, tid, "site_photo", ("lokasi.jpg", original)).get_json()["files"][0]

    def read_back(sha: str) -> Image.Image:
        got = client.get(f"/v1/tickets/{tid}/files/{sha}", headers=auth("root"))
        return Image.open(io.BytesIO(got.data))

    assert post(client, tid, {"photo": ref, "site_photo": kept}).status_code == 200
    stripped = read_back(ref["sha256"])
    assert not stripped.getexif() and stripped.size == (32, 24)
    assert read_back(kept["sha256"]).getexif().get_ifd(GPS)[1] == "S"
    assert kept["sha256"] == hashlib.sha256(original).hexdigest()


def test_an_auditor_is_refused_a_personal_file_and_sees_it_masked(
    app: Flask, client: FlaskClient
) -> None:
    tid = new_ticket(client)
    ref = upload(client, tid, "id_card", ("ktp-budi.jpg", jpeg())).get_json()["files"][0]
    assert post(client, tid, {"id_card": ref}).status_code == 200
    url = f"/v1/tickets/{tid}/files/{ref['sha256']}"
    refused = client.get(url, headers=auth("audit"))
    assert refused.status_code == 403 and "Foto KTP" in refused.get_json()["detail"]
    assert client.get(url, headers=auth("root")).status_code == 200
    ticket = client.get(f"/v1/tickets/{tid}", headers=auth("audit")).get_json()
    assert ticket["fields"]["id_card"] == "***"
    timeline = client.get(f"/v1/tickets/{tid}/events", headers=auth("audit")).get_json()
    assert "ktp-budi" not in str(timeline) and ref["sha256"] not in str(timeline)


def test_an_event_naming_a_file_never_uploaded_changes_nothing(client: FlaskClient) -> None:
    tid = new_ticket(client)
    forged = {"sha256": "ab" * 32, "name": "x.jpg", "type": "image/jpeg", "size": 10}
    resp = post(client, tid, {"photo": forged})
    assert resp.status_code == 422 and resp.get_json()["errors"]["photo"]
    assert client.get(f"/v1/tickets/{tid}", headers=auth("root")).get_json()["version"] == 1
    wrong = {"sha256": "ab" * 32, "name": "x.jpg"}
    assert post(client, tid, {"photo": wrong}).status_code == 422


def test_an_unknown_ticket_field_or_file_is_refused(client: FlaskClient) -> None:
    tid = new_ticket(client)
    resp = upload(client, tid, "note", ("a.pdf", PDF))
    assert resp.status_code == 422 and "not a file field" in resp.get_json()["detail"]
    assert upload(client, "T-none", "photo", ("a.jpg", jpeg())).status_code == 404
    missing = client.get(f"/v1/tickets/{tid}/files/{'cd' * 32}", headers=auth("root"))
    assert missing.status_code == 404


def test_the_openapi_document_shows_the_multipart_body(client: FlaskClient) -> None:
    doc = client.get("/v1/openapi.json").get_json()
    body = doc["paths"]["/v1/tickets/{ticket_id}/files"]["post"]["requestBody"]["content"]
    schema = body["multipart/form-data"]["schema"]
    assert schema == {"$ref": "#/components/schemas/FileUpload"}
    item = doc["components"]["schemas"]["FileUpload"]["properties"]["file"]["items"]
    assert item == {"type": "string", "format": "binary"}


def test_a_ticket_opens_with_a_stored_file_only(app: Flask, client: FlaskClient) -> None:
    first = new_ticket(client)
    ref = upload(client, first, "photo", ("depan.jpg", jpeg())).get_json()["files"][0]
    root = auth("root")
    opened = client.post(
        "/v1/tickets", json={"sop": "photo-desk", "fields": {"photo": ref}}, headers=root
    )
    assert opened.status_code == 201 and opened.get_json()["fields"]["photo"] == ref
    before = client.get("/v1/tickets", headers=root).get_json()["items"]
    forged = {**ref, "size": ref["size"] + 1}
    refused = client.post(
        "/v1/tickets", json={"sop": "photo-desk", "fields": {"photo": forged}}, headers=root
    )
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["photo"]
    assert client.get("/v1/tickets", headers=root).get_json()["items"] == before


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded(
    app: Flask, client: FlaskClient
) -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, format="PNG")  # 100 megapixels in a few KB
    assert len(out.getvalue()) < 100_000
    tid = new_ticket(client)
    resp = upload(client, tid, "attachments", ("peta.png", out.getvalue()))
    assert resp.status_code == 422 and resp.get_json()["limit"] == {"max_pixels": 64_000_000}
    assert stored(app) == []


def test_a_body_beyond_all_the_field_may_hold_is_refused_by_the_field(
    app: Flask, client: FlaskClient
) -> None:
    tid = new_ticket(client)
    huge = jpeg() + b"\0" * (2 * 2**20 + 10)  # Foto: one file of 1 MB, plus 1 MB for the form
    resp = upload(client, tid, "photo", ("besar.jpg", huge))
    assert resp.status_code == 422
    assert resp.get_json()["limit"] == {"max_size_mb": 1} and "Foto" in resp.get_json()["detail"]
    assert stored(app) == []


def test_a_webp_loses_its_exif_too(client: FlaskClient) -> None:
    exif = Image.Exif()
    exif[GPS] = {1: "S", 2: (7.0, 15.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 120, 10)).save(out, format="WEBP", exif=exif.tobytes())
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(GPS)
    tid = new_ticket(client)
    ref = upload(client, tid, "photo", ("taman.webp", out.getvalue())).get_json()["files"][0]
    assert ref["type"] == "image/webp"
    assert post(client, tid, {"photo": ref}).status_code == 200
    got = client.get(f"/v1/tickets/{tid}/files/{ref['sha256']}", headers=auth("root"))
    assert got.mimetype == "image/webp" and not Image.open(io.BytesIO(got.data)).getexif()


RULES = """format_version: 1
id: photo-desk-v1
templates:
  reported: "Laporan ${ticket_id} dengan foto ${photo}; KTP ${id_card}"
rules:
  - id: tell-the-desk
    when: {event: reported}
    then:
      - notify: {to: clerk, template: reported}
"""


def test_a_message_names_a_file_by_its_name_and_masks_a_personal_one(tmp_path: Path) -> None:
    sop = SOP.read_text("utf-8").replace("\nfields:", "\nrules: [photo-desk-v1]\n\nfields:", 1)
    files = {"sop/photo-desk/v1.yaml": sop, "rules/photo-desk-v1.yaml": RULES}
    with app_on(tmp_path, files) as app:
        client = app.test_client()
        tid = new_ticket(client)
        photo = upload(client, tid, "photo", ("depan.jpg", jpeg())).get_json()["files"][0]
        card = upload(client, tid, "id_card", ("ktp-budi.jpg", jpeg(size=(5, 5))))
        data = {"photo": photo, "id_card": card.get_json()["files"][0]}
        assert post(client, tid, data).status_code == 200
        items = client.get("/v1/notifications", headers=auth("root")).get_json()["items"]
        (text,) = [n["text"] for n in items if n["ticket_id"] == tid]
        assert text == f"Laporan {tid} dengan foto depan.jpg; KTP ***"


def test_audit_verify_finds_a_file_changed_or_lost(app: Flask, client: FlaskClient) -> None:
    tid = new_ticket(client)
    ref = upload(client, tid, "photo", ("depan.jpg", jpeg())).get_json()["files"][0]
    assert post(client, tid, {"photo": ref}).status_code == 200
    verify = "/v1/audit/verify"
    assert client.get(verify, headers=auth("audit")).get_json()["ok"] is True
    (path,) = stored(app)
    path.write_bytes(jpeg(size=(9, 9)))  # the photo swapped on disk
    (problem,) = client.get(verify, headers=auth("audit")).get_json()["problems"]
    assert (problem["ticket"], problem["kind"]) == (tid, "file")
    assert "'photo'" in problem["message"] and "changed" in problem["message"]
    path.unlink()
    (problem,) = client.get(verify, headers=auth("audit")).get_json()["problems"]
    assert "lost" in problem["message"]


def test_files_go_to_the_folder_the_setting_names(tmp_path: Path) -> None:
    (tmp_path / "sop/photo-desk").mkdir(parents=True)
    (tmp_path / "sop/photo-desk/v1.yaml").write_text(SOP.read_text("utf-8"), encoding="utf-8")
    shared = tmp_path / "shared-files"  # e.g. a mount every server of one database shares
    app = make_app(
        tmp_path,
        SOP_ROOT=str(tmp_path / "sop"),
        SOP_RULES_DIR=str(tmp_path / "rules"),
        SOP_FILES_DIR=str(shared),
    )
    try:
        client = app.test_client()
        tid = new_ticket(client)
        ref = upload(client, tid, "photo", ("depan.jpg", jpeg())).get_json()["files"][0]
        assert (shared / ref["sha256"][:2] / ref["sha256"][2:]).is_file()
        assert not (tmp_path / "files").exists()
    finally:
        app.extensions["sop"].close()
