"""The notifications feed over HTTP: its filters, within what a token may read."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import As
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL, ROUTING


def _routed(desk: Journey, agency: str, complaint: str) -> str:
    tid = desk.create({**OTHER_CHANNEL, "complaint_text": complaint})["id"]
    desk.post(tid, "accept", "staff")
    desk.post(tid, "triage", "staff")
    desk.post(tid, "entered", "staff", {**ROUTING, "agency": agency})
    desk.post(tid, "responded", "staff", {"response_text": "Kami proses"})
    desk.post(tid, "within_authority", "staff")
    desk.post(tid, "routed", "staff")  # notifies the agency, quoting the complaint
    return tid


def _feed(reader: Journey, query: str) -> list[dict[str, Any]]:
    return reader.call("GET", f"/v1/notifications?{query}").body["items"]


def test_a_ticket_s_notifications_are_found_by_its_id_within_the_token_s_scope(
    as_: As, desk: Journey
) -> None:
    ours = _routed(desk, "DSDABM", "Budi Santoso: jalan berlubang")
    theirs = _routed(desk, "DINKES", "Puskesmas tutup")
    ours_again = desk.create()["id"]  # a third ticket, no notification yet
    assert {n["ticket_id"] for n in _feed(desk, f"ticket={ours}")} == {ours}
    assert _feed(desk, f"ticket={ours_again}") == []

    agency = as_("dsdabm")
    mine = _feed(agency, f"ticket={ours}")
    assert [n["template"] for n in mine] == ["routed_to_agency"]
    assert "Budi Santoso" not in mine[0]["text"]  # masked for the agency, as in the feed
    assert _feed(agency, f"ticket={theirs}") == []  # another agency's ticket: nothing
    assert [n["ticket_id"] for n in _feed(as_("dinkes"), f"ticket={theirs}")] == [theirs]


def test_the_feed_filters_by_channel_and_delivery_status(desk: Journey) -> None:
    tid = desk.create()["id"]
    desk.to_confirmation(tid)  # the validated result goes to the reporter on their channel
    on_channel = _feed(desk, f"ticket={tid}&channel={OTHER_CHANNEL['channel']}")
    assert [(n["to"], n["template"]) for n in on_channel] == [("reporter", "follow_up_result")]
    assert _feed(desk, f"ticket={tid}&channel=email") == []
    pending = _feed(desk, f"ticket={tid}&status=pending")
    assert len(pending) == len(_feed(desk, f"ticket={tid}")) == 2  # nothing delivers here
    assert _feed(desk, f"ticket={tid}&status=dead") == []
    bad = desk.call("GET", "/v1/notifications?status=sent", expect=422).body
    assert bad["detail"].startswith("the query string has errors in: status")
