"""The web timeline shows an event's label from the YAML; the API's JSON keeps the id and puts
the label beside it."""

from __future__ import annotations

from pathlib import Path

from tests.api.conftest import TOKENS, make_app, sign_in
from tests.support.labels import labelled_seed
from tests.support.seed import OTHER_CHANNEL

SOP = "surabaya-complaints"
ROUTING = {"category": "Jalan", "topic": "Lubang", "agency": "DSDABM"}


def test_the_timeline_shows_event_labels_and_the_json_keeps_ids(tmp_path: Path) -> None:
    root = labelled_seed(tmp_path)
    app = make_app(tmp_path / "data", SOP_ROOT=str(root), SOP_RULES_DIR=str(tmp_path / "rules"))
    service = app.extensions["sop"].service
    try:
        ticket = service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="u").id
        service.post_event(ticket, "accept", "staff", {}, user="u")
        service.post_event(ticket, "triage", "staff", {}, user="u")
        client = app.test_client()
        sign_in(client, "root")
        auth = {"Authorization": f"Bearer {TOKENS['root'][0]}"}
        body = client.get(f"/v1/tickets/{ticket}", headers=auth).get_json()
        assert body["allowed_events"][0]["type"] == "entered"
        assert body["allowed_events"][0]["label"] == "Data dimasukkan"
        service.post_event(ticket, "entered", "staff", ROUTING, user="u")
        html = client.get(f"/web/tickets/{ticket}").get_data(as_text=True)
        items = client.get(f"/v1/tickets/{ticket}/events", headers=auth).get_json()["items"]
    finally:
        app.extensions["sop"].close()
    shown = {e["event"]: e["event_label"] for e in items}
    assert (shown["entered"], shown["triage"]) == ("Data dimasukkan", "triage")
    timeline = html.split('id="timeline"', 1)[1]
    assert '<b class="event" data-event="entered">Data dimasukkan</b>' in timeline
    # no label: what the event did, in words; the id only in the data attribute
    assert '<b class="event" data-event="triage">keputusan langkah 2</b>' in timeline
    assert '<span class="muted">Kategori:</span> Jalan' in timeline  # a field by its label
