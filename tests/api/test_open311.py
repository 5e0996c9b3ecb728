"""The Open311 GeoReport v2 facade in process: errors as the specification's arrays in both
formats, GET requests' filters, what a token sees (masking, scope), the times and agency a
request shows, and a second, unrelated SOP served by its own open311.yaml with no code change.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import TOKENS, make_app
from tests.api.journey import WALK, Journey
from tests.support.seed import OTHER_CHANNEL, ROOT, ROUTING

BASE = "/open311/v2"
REPORT = {
    "service_code": "pengaduan",
    "lat": "-7.2905",
    "long": "112.7398",
    "address_string": "Jl. Raya Darmo 1",
    "description": "Jalan berlubang. Hubungi Budi Santoso di 081234567890",
    "media_url": "https://warga.example/foto.jpg",
    "first_name": "Budi",
    "last_name": "Santoso",
    "phone": "+6281234567890",
}


def key(name: str) -> str:
    return TOKENS[name][0]


def post(client: FlaskClient, fmt: str = "json", **params: str) -> Any:
    return client.post(f"{BASE}/requests.{fmt}", data=params)


def errors_of(resp: Any) -> list[tuple[int, str]]:
    """The specification's error array, read from either format."""
    if resp.mimetype == "text/xml":
        root = ET.fromstring(resp.get_data())
        assert root.tag == "errors"
        return [(int(e.findtext("code") or 0), e.findtext("description") or "") for e in root]
    return [(e["code"], e["description"]) for e in resp.get_json()]


def opened(client: FlaskClient, api_key: str = "bridge-secret", **more: str) -> str:
    resp = post(client, api_key=api_key, **{**REPORT, **more})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()[0]["service_request_id"]  # type: ignore[no-any-return]


def requests_(client: FlaskClient, query: str, api_key: str = "root-secret") -> Any:
    resp = client.get(f"{BASE}/requests.json?api_key={api_key}&{query}")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()


def ticket_count(app: Flask) -> int:
    return len(app.extensions["sop"].service.list_tickets(limit=500).items)


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_errors_are_the_specifications_arrays_with_its_codes_and_change_nothing(
    app: Flask, client: FlaskClient, fmt: str
) -> None:
    unknown = client.get(f"{BASE}/services/jalan-rusak.{fmt}")
    assert unknown.status_code == 404
    assert unknown.mimetype == ("text/xml" if fmt == "xml" else "application/json")
    [(code, text)] = errors_of(unknown)
    assert code == 404 and "'jalan-rusak'" in text and "pengaduan" in text  # names the known

    no_key = post(client, fmt, **REPORT)
    assert no_key.status_code == 403 and "api_key is required" in errors_of(no_key)[0][1]
    bad_key = post(client, fmt, api_key="guessed", **REPORT)
    assert bad_key.status_code == 403 and "not valid" in errors_of(bad_key)[0][1]
    read_only = post(client, fmt, api_key=key("audit"), **REPORT)
    assert read_only.status_code == 403 and "read-only" in errors_of(read_only)[0][1]

    nowhere = {k: v for k, v in REPORT.items() if k not in ("lat", "long", "address_string")}
    missing = post(client, fmt, api_key=key("bridge"), **nowhere)
    assert missing.status_code == 400
    assert "lat and long, or address_string" in errors_of(missing)[0][1]
    no_code = post(client, fmt, api_key=key("bridge"), description="x")
    assert no_code.status_code == 400 and "service_code" in errors_of(no_code)[0][1]
    off_globe = post(client, fmt, api_key=key("bridge"), **{**REPORT, "lat": "97", "long": "x"})
    assert off_globe.status_code == 400
    said = dict(t.split(": ", 1) for _, t in errors_of(off_globe))
    assert set(said) == {"lat", "long"} and "-90 to 90" in said["lat"]
    not_a_url = post(client, fmt, api_key=key("bridge"), **{**REPORT, "media_url": "foto.jpg"})
    assert not_a_url.status_code == 400
    assert errors_of(not_a_url)[0][1].startswith("media_url: Lampiran Pengaduan: ")
    no_attribute = post(client, fmt, api_key=key("bridge"), **{**REPORT, "attribute[rt]": "3"})
    assert no_attribute.status_code == 400 and "attribute[rt]" in errors_of(no_attribute)[0][1]
    assert ticket_count(app) == 0  # nothing was opened by any of them

    bad_date = client.get(f"{BASE}/requests.{fmt}?api_key={key('root')}&start_date=kemarin")
    assert bad_date.status_code == 400 and "'kemarin'" in errors_of(bad_date)[0][1]
    bad_status = client.get(f"{BASE}/requests.{fmt}?api_key={key('root')}&status=pending")
    assert bad_status.status_code == 400 and "open" in errors_of(bad_status)[0][1]
    no_request = client.get(f"{BASE}/requests/01NOPE.{fmt}?api_key={key('root')}")
    assert no_request.status_code == 404
    token = client.get(f"{BASE}/tokens/abc.{fmt}")
    assert token.status_code == 404 and "synchronously" in errors_of(token)[0][1]
    elsewhere = client.delete(f"{BASE}/requests.{fmt}")
    assert elsewhere.status_code == 405 and errors_of(elsewhere)[0][0] == 405


def test_a_request_holds_what_the_ticket_holds_and_its_times(
    client: FlaskClient, desk: Journey
) -> None:
    rid = opened(client, **{"attribute[category]": "Jalan"})
    ticket = desk.ticket(rid)
    fields = ticket["fields"]
    assert fields["location"] == "Jl. Raya Darmo 1 (-7.2905, 112.7398)"
    assert (fields["reporter_name"], fields["category"]) == ("Budi Santoso", "Jalan")
    assert "channel" not in fields  # left to the operator (the seed's open311.yaml says why)
    opening = desk.timeline(rid)[0]
    assert (opening["user"], opening["actor"]) == ("bridge", "staff")  # the key's, its 1st actor
    [seen] = requests_(client, f"service_request_id={rid}")
    assert seen["requested_datetime"] == "2025-01-06T02:00:00Z"  # the manual clock, in UTC
    # Step 1's time limit: 1 working day, Monday 09:00 WIB -> Tuesday 09:00 WIB.
    assert seen["expected_datetime"] == "2025-01-07T02:00:00Z"
    assert ticket["step"]["due"].startswith("2025-01-07T02:00:00")
    assert seen["agency_responsible"] is None

    desk.advance("1 hour")
    desk.post(rid, "accept", "staff")
    desk.post(rid, "triage", "staff", {"channel": "phone", "social_media": "-"})
    desk.post(rid, "entered", "staff", ROUTING)
    [later] = requests_(client, f"service_request_id={rid}")
    assert later["agency_responsible"] == "DSDABM"
    assert later["expected_datetime"] == desk.ticket(rid)["step"]["due"].replace("+00:00", "Z")
    assert later["updated_datetime"] == "2025-01-06T03:00:00Z"  # the last step's start


def test_without_tokens_another_sites_page_cannot_post_a_report(tmp_path: Path) -> None:
    app = make_app(tmp_path, SOP_DEV=True)  # `sop serve --dev`: no api_key asked
    client = app.test_client()
    forged = client.post(
        f"{BASE}/requests.json", data=REPORT, headers={"Origin": "https://evil.example"}
    )
    assert forged.status_code == 403 and "evil.example" in errors_of(forged)[0][1]
    assert ticket_count(app) == 0
    assert client.post(f"{BASE}/requests.json", data=REPORT).status_code == 201  # curl, a client
    own = client.post(f"{BASE}/requests.json", data=REPORT, headers={"Origin": "http://localhost"})
    assert own.status_code == 201
    app.extensions["sop"].close()


# -- GET requests' filters ---------------------------------------------------------------------


def test_get_requests_filters_by_id_service_time_and_status(
    client: FlaskClient, desk: Journey
) -> None:
    first = opened(client)
    desk.advance("2 calendar days")
    second = opened(client)
    desk.call("POST", f"/v1/tickets/{second}/events", {"type": "accept", "actor": "staff"})
    third = opened(client)
    for step, actor, data in (
        ("accept", "staff", {}),
        ("triage", "staff", {"channel": "phone", "social_media": "-"}),
    ):
        desk.post(third, step, actor, data)

    def ids(query: str) -> list[str]:
        return [r["service_request_id"] for r in requests_(client, query)]

    assert ids("") == [third, second, first]  # newest first
    assert ids(f"service_request_id={first},{third},01NOPE") == [first, third]
    assert ids("service_code=pengaduan") == [third, second, first]
    assert ids("start_date=2025-01-07T00:00:00Z") == [third, second]
    assert ids("end_date=2025-01-07T00:00:00%2B07:00") == [first]
    assert ids("start_date=2025-01-06T00:00:00Z&end_date=2025-01-06T12:00:00Z") == [first]
    assert ids("status=open") == [third, second, first]
    assert ids("status=closed") == []
    assert ids("status=open,closed") == [third, second, first]
    missing = client.get(f"{BASE}/requests.json?api_key={key('root')}&service_code=sampah")
    assert missing.status_code == 404


def test_the_time_window_reads_when_a_ticket_was_received_not_when_it_was_entered(
    client: FlaskClient, desk: Journey
) -> None:
    now = opened(client)  # received now (Monday 6 January, 09:00 WIB)
    # Entered after it, for a complaint received ten days before: a newer id, an older receipt.
    late = desk.create(occurred_at="2024-12-27T09:00:00+07:00")["id"]
    assert late > now

    def ids(query: str) -> list[str]:
        return [r["service_request_id"] for r in requests_(client, query)]

    assert ids("start_date=2025-01-06T00:00:00Z") == [now]
    assert ids("end_date=2025-01-01T00:00:00Z") == [late]
    assert ids("start_date=2024-12-20T00:00:00Z") == [now, late]  # by receipt, newest first
    assert ids("") == [now, late]  # the last 90 days


def test_a_closed_ticket_is_listed_closed_with_its_public_status(
    client: FlaskClient, desk: Journey
) -> None:
    rid = opened(client)
    desk.post(rid, "accept", "staff")
    desk.post(rid, "triage", "staff", {"channel": "phone", "social_media": "-"})
    for type_, actor, data in WALK[2:]:  # entered ... validated
        desk.post(rid, type_, actor, data)
    desk.post(rid, "confirmed", "reporter")
    desk.post(rid, "close", "staff")
    [still_open] = requests_(client, "status=open")
    assert (still_open["status"], still_open["status_notes"]) == ("open", "Selesai")  # step 15
    desk.post(rid, "replied", "staff", {"reply_text": "Selesai"})
    [closed] = requests_(client, "status=closed")
    assert (closed["status"], closed["status_notes"]) == ("closed", "Selesai")
    assert closed["expected_datetime"] is None
    assert requests_(client, "status=open") == []


# -- what a token sees ---------------------------------------------------------------------------


def test_a_token_without_personal_access_sees_no_name_or_phone(client: FlaskClient) -> None:
    rid = opened(client)
    whole = requests_(client, f"service_request_id={rid}", key("bridge"))[0]
    assert whole["description"] == REPORT["description"]
    for reader in ("audit",):
        masked = requests_(client, f"service_request_id={rid}", key(reader))[0]
        assert "Budi" not in masked["description"] and "081234567890" not in masked["description"]
        assert masked["description"].startswith("Jalan berlubang.")
        assert masked["media_url"] == REPORT["media_url"]
    xml = client.get(f"{BASE}/requests/{rid}.xml?api_key={key('audit')}").get_data(as_text=True)
    assert "Santoso" not in xml and "081234567890" not in xml and "***" in xml
    no_key = client.get(f"{BASE}/requests.json")
    assert no_key.status_code == 403


def test_an_agency_token_sees_its_own_requests_only(client: FlaskClient, desk: Journey) -> None:
    ours = desk.create({**OTHER_CHANNEL, "agency": "DSDABM"})["id"]
    theirs = desk.create({**OTHER_CHANNEL, "agency": "DINKES"})["id"]
    listed = requests_(client, "", key("dsdabm"))
    assert [r["service_request_id"] for r in listed] == [ours]
    assert listed[0]["agency_responsible"] == "DSDABM"
    asked = requests_(client, f"service_request_id={ours},{theirs}", key("dsdabm"))
    assert [r["service_request_id"] for r in asked] == [ours]
    hidden = client.get(f"{BASE}/requests/{theirs}.json?api_key={key('dsdabm')}")
    assert hidden.status_code == 404  # as for an id that does not exist
    assert requests_(client, "", key("root"))[0]["service_request_id"] == theirs
    # A request it opens lands in its own scope.
    made = opened(client, key("dsdabm"))
    assert desk.ticket(made)["fields"]["agency"] == "DSDABM"


# -- a second SOP, with no code change -----------------------------------------------------------

PERMIT_OPEN311 = """\
services:
  pbg-rumah:
    name: Persetujuan Bangunan Gedung - rumah tinggal
    group: Perizinan
    keywords: [pbg, imb]
    set: {permit_class: house}
  pbg-komersial:
    name: Persetujuan Bangunan Gedung - komersial
    group: Perizinan
    type: batch
    set: {permit_class: commercial}
fields:
  address_string: site_address
  email: applicant_email
  first_name: applicant_name
  last_name: applicant_name
  media_url: drawings
attributes:
  floor_area: {required: true, order: 2}
  contact_channel: {order: 1, description: Bagaimana kami menghubungi Anda}
  permit_class: {order: 3}
"""


@pytest.fixture
def permit_app(tmp_path: Path) -> Iterator[Flask]:
    sop = tmp_path / "sop" / "building-permit"
    shutil.copytree(ROOT / "tests" / "sops" / "sop" / "building-permit", sop)
    (sop / "integrations").mkdir()
    (sop / "integrations" / "open311.yaml").write_text(PERMIT_OPEN311, encoding="utf-8")
    rules = ROOT / "tests" / "sops" / "rules"
    app = make_app(tmp_path, SOP_ROOT=str(tmp_path / "sop"), SOP_RULES_DIR=str(rules))
    yield app
    app.extensions["sop"].close()


def test_another_sop_is_served_by_its_own_settings(permit_app: Flask) -> None:
    client = permit_app.test_client()
    services = client.get(f"{BASE}/services.json").get_json()
    assert [(s["service_code"], s["type"], s["metadata"]) for s in services] == [
        ("pbg-rumah", "realtime", True),
        ("pbg-komersial", "batch", True),
    ]
    definition = client.get(f"{BASE}/services/pbg-rumah.xml")
    root = ET.fromstring(definition.get_data())
    attrs = root.find("attributes")
    assert attrs is not None
    got = [
        (a.findtext("code"), a.findtext("datatype"), a.findtext("required"), a.findtext("order"))
        for a in attrs
    ]
    # In order; permit_class is fixed by the service, so it is not asked.
    assert got == [
        ("contact_channel", "singlevaluelist", "false", "1"),
        ("floor_area", "number", "true", "2"),
    ]
    values = [v.findtext("key") for v in attrs[0].iter("value")]
    assert values == ["email", "sms", "counter"]

    form = {
        "api_key": key("bridge"),
        "service_code": "pbg-komersial",
        "address_string": "Jl. Ahmad Yani 5",
        "email": "ani@example.org",
        "first_name": "Ani",
        "media_url": "https://warga.example/gambar.pdf",
    }
    without = client.post(f"{BASE}/requests.json", data=form)
    assert without.status_code == 400
    said = without.get_json()[0]["description"]
    assert said == "attribute[floor_area]: required: Luas Lantai (m2)"
    wrong = client.post(
        f"{BASE}/requests.json",
        data={**form, "attribute[floor_area]": "120", "attribute[contact_channel]": "fax"},
    )
    assert wrong.status_code == 400 and "email, sms, counter" in wrong.get_json()[0]["description"]
    made = client.post(
        f"{BASE}/requests.json",
        data={**form, "attribute[floor_area]": "120.5", "attribute[contact_channel]": "email"},
    )
    assert made.status_code == 201, made.get_data(as_text=True)
    rid = made.get_json()[0]["service_request_id"]
    ticket = permit_app.extensions["sop"].service.get_ticket(rid).ticket
    assert ticket.fields == {
        "site_address": "Jl. Ahmad Yani 5",
        "applicant_email": "ani@example.org",
        "applicant_name": "Ani",
        "drawings": "https://warga.example/gambar.pdf",
        "floor_area": 120.5,
        "contact_channel": "email",
        "permit_class": "commercial",
    }
    listed = client.get(f"{BASE}/requests.json?api_key={key('root')}&service_code=pbg-rumah")
    assert listed.get_json() == []  # a commercial permit is not a house's
    [seen] = client.get(f"{BASE}/requests.json?api_key={key('root')}").get_json()
    assert (seen["service_code"], seen["status_notes"]) == ("pbg-komersial", "Diajukan")
    assert (seen["address"], seen["lat"], seen["agency_responsible"]) == (
        "Jl. Ahmad Yani 5",
        None,
        None,
    )
