"""The allowed-events answer says what each event still needs and where it is given; a refused
event's problem says where the missing data can be given (`accepted_by`); the ticket page marks
the fields still needed. The seed after the WargaKu fix, and `complaint-routing` (tests/sops),
cut down from the seed: a complaint from the app skips the step where Kategori, Topik and OPD
are entered; at the routing step they are recorded by their own event, not by the routing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.api.conftest import As, app_on, sign_in
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL, ROOT, ROUTING

SOPS = ROOT / "tests" / "sops"
APP_COMPLAINT = {"reporter_name": "Budi", "channel": "app", "complaint_text": "Jalan berlubang"}


@pytest.fixture
def routing_app(tmp_path: Path) -> Iterator[Flask]:
    files = {"sop/complaint-routing/v1.yaml": (SOPS / "sop/complaint-routing/v1.yaml").read_text()}
    with app_on(tmp_path, files) as app:
        yield app


def _allowed(ticket: dict, event: str) -> dict:
    return next(e for e in ticket["allowed_events"] if e["type"] == event)


def _at_routing(desk: Journey) -> str:
    """A complaint from the app at step 5: the response gave OPD-less data, the authority
    check gave OPD only."""
    body = {"sop": "complaint-routing", "fields": APP_COMPLAINT}
    tid = desk.call("POST", "/v1/tickets", body, expect=201).body["id"]
    desk.post(tid, "triaged", "staff")
    desk.post(tid, "responded", "staff", {"response_text": "Diterima"})
    return tid


def test_seed_step_7_lists_category_and_topic_as_still_needed_and_accepted(desk: Journey) -> None:
    fields = {k: v for k, v in OTHER_CHANNEL.items() if k != "social_media"}
    tid = desk.create({**fields, "channel": "wargaku"})["id"]
    desk.post(tid, "accept", "staff")
    ticket = desk.post(tid, "triage", "staff")
    responded = _allowed(ticket, "responded")
    assert responded["ready"] is False
    assert [(m["id"], m["input"], m["accepted"]) for m in responded["missing"]] == [
        ("response_text", "Respon Pengaduan", True)
    ]
    desk.post(tid, "responded", "staff", {"response_text": "Diterima"})
    ticket = desk.post(tid, "within_authority", "staff")
    routed = _allowed(ticket, "routed")
    here = [{"event": "routed", "label": "routed", "step": 7}]
    assert routed["missing"] == [
        {
            "id": "category",
            "label": "Kategori",
            "input": "Kategori",
            "accepted": True,
            "accepted_by": here,
        },
        {"id": "topic", "label": "Topik", "input": "Topik", "accepted": True, "accepted_by": here},
        {"id": "agency", "label": "OPD", "input": "OPD", "accepted": True, "accepted_by": here},
    ]
    assert routed["ready"] is False

    path = f"/v1/tickets/{tid}/events"
    refused = desk.call("POST", path, {"type": "routed", "actor": "staff"}, expect=422).body
    assert refused["code"] == "missing_inputs"
    assert "Send Kategori, Topik and OPD with 'routed', which accepts them." in refused["detail"]
    assert refused["accepted_by"] == {"category": here, "topic": here, "agency": here}
    assert desk.ticket(tid)["version"] == ticket["version"]
    ticket = desk.post(tid, "routed", "staff", ROUTING)
    assert ticket["step"]["number"] == 8


def test_the_answer_and_the_refusal_name_the_event_of_the_step_that_takes_the_inputs(
    routing_app: Flask,
) -> None:
    desk = As(routing_app.test_client())("root")
    tid = _at_routing(desk)
    ticket = desk.ticket(tid)
    within = _allowed(ticket, "within_authority")
    assert (within["ready"], within["missing"]) == (True, [])
    ticket = desk.post(tid, "within_authority", "staff", {"agency": "DSDABM"})
    here = [{"event": "classified", "label": "Diklasifikasi", "step": 5}]
    routed = _allowed(ticket, "routed")
    assert routed["accepts"] == ["agency"]
    assert [(m["id"], m["accepted"], m["accepted_by"]) for m in routed["missing"]] == [
        ("category", False, here),
        ("topic", False, here),
    ]

    path = f"/v1/tickets/{tid}/events"
    refused = desk.call("POST", path, {"type": "routed", "actor": "staff"}, expect=422).body
    assert refused["detail"].endswith(
        "Kategori and Topik are accepted at this step by 'classified' (Diklasifikasi, step 5): "
        "post that first."
    )
    assert refused["accepted_by"] == {"category": here, "topic": here}

    body = {"type": "routed", "actor": "staff", "data": {"category": "Jalan", "topic": "Lubang"}}
    not_here = desk.call("POST", path, body, expect=422).body
    assert not_here["code"] == "invalid_data"
    assert not_here["errors"]["category"] == [
        "not accepted here; accepted data for event 'routed': agency; "
        "Kategori is accepted at this step by 'classified' (Diklasifikasi, step 5): "
        "send it with that event instead"
    ]
    assert not_here["accepted_by"] == {"category": here, "topic": here}
    assert desk.ticket(tid)["version"] == ticket["version"]
    desk.post(tid, "classified", "staff", {"category": "Jalan", "topic": "Lubang"})
    assert desk.post(tid, "routed", "staff")["open"] is False


def _next_events(page: str) -> str:
    """The page's section of events that can be posted (it comes before their forms, whose
    controls are named by the field ids they post)."""
    return page.split('id="next-events"', 1)[1].split('<h2 id="tindakan">', 1)[0]


def test_the_ticket_page_marks_the_fields_still_needed_by_label(routing_app: Flask) -> None:
    client = routing_app.test_client()
    desk = As(client)("root")
    tid = _at_routing(desk)
    sign_in(client, "root")
    page = client.get(f"/web/tickets/{tid}").get_data(as_text=True)
    section = _next_events(page)
    assert "dapat dikirim tanpa isian" in section  # within_authority needs nothing
    assert '<td>OPD</td><td><span class="muted">boleh diisi</span>' in section

    desk.post(tid, "within_authority", "staff")
    page = client.get(f"/web/tickets/{tid}").get_data(as_text=True)
    section = _next_events(page)
    rows = [r.split("</tr>")[0] for r in section.split('<tr class="needed">')[1:]]
    assert [r.split("<td>")[1].split("</td>")[0] for r in rows] == ["Kategori", "Topik", "OPD"]
    assert "wajib sudah terisi</span> diisi melalui Diklasifikasi (langkah 5)" in rows[0]
    assert '<span class="badge need-badge">wajib diisi</span>' in rows[2]
    routed = section.split("<h3>Disalurkan ke OPD</h3>", 1)[1].split("<h3>", 1)[0]
    assert "dapat dikirim tanpa isian" not in routed
    for name in ("category", "topic", "agency", "routed", "classified", "responded"):
        assert name not in section  # ids stay in the JSON


def test_the_openapi_document_describes_what_an_allowed_event_still_needs(desk: Journey) -> None:
    schemas = desk.call("GET", "/v1/openapi.json").body["components"]["schemas"]
    allowed = schemas["AllowedEvent"]["properties"]
    assert allowed["ready"]["type"] == "boolean"
    assert allowed["missing"]["items"] == {"$ref": "#/components/schemas/StillNeeded"}
    needed = schemas["StillNeeded"]["properties"]
    assert set(needed) == {"id", "label", "input", "accepted", "accepted_by"}
    assert needed["accepted_by"]["items"] == {"$ref": "#/components/schemas/AcceptingEvent"}
