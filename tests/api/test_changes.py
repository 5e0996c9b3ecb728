"""GET /v1/changes: every event of every ticket, in order, as CloudEvents, masked per reader."""

from __future__ import annotations

import json

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent

from tests.api.conftest import As
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL


def _feed(who: Journey, query: str = "") -> dict:
    return who.call("GET", f"/v1/changes?{query}").body


def _all(who: Journey, query: str = "", limit: int = 3) -> list[dict]:
    """Follow the feed to its end, `limit` at a time, as a subscriber polls it."""
    out, after = [], 0
    while True:
        page = _feed(who, f"after={after}&limit={limit}&{query}")
        out += page["items"]
        if page["next_cursor"] == after:
            return out
        after = page["next_cursor"]


def test_every_change_of_a_tickets_life_comes_in_order_once(desk: Journey) -> None:
    ticket = desk.create({**OTHER_CHANNEL, "reporter_name": "Rina Wulandari"})["id"]
    other = desk.create(OTHER_CHANNEL)["id"]
    desk.to_follow_up(ticket)
    timeline = desk.timeline(ticket)
    changes = _all(desk)
    mine = [c for c in changes if c["subject"] == ticket]
    assert [c["id"] for c in mine] == [f"{ticket}/{n}" for n in range(1, len(timeline) + 1)]
    assert [c["data"]["event"] for c in mine] == [e["event"] for e in timeline]
    assert len({c["id"] for c in changes}) == len(changes) == len(timeline) + 1
    assert [c["subject"] for c in changes].index(other) == 1  # opened second, listed second
    cursors = [int(c["sequence"]) for c in changes]
    assert cursors == sorted(cursors)
    # Each is a valid CloudEvents 1.0 event, as the SDK reads one.
    event = JSONFormat().read(CloudEvent, json.dumps(mine[1]).encode())
    assert event.get_type() == f"dev.sop-engine.ticket.{timeline[1]['event']}"
    assert event.get_source() == f"/v1/tickets/{ticket}"
    assert mine[0]["data"]["data"]["reporter_name"] == "Rina Wulandari"  # an admin reads it
    assert mine[-1]["data"]["status"]["id"] == timeline[-1]["to_status"]


def test_a_caught_up_feed_answers_empty_and_stays_at_its_cursor(desk: Journey) -> None:
    desk.create(OTHER_CHANNEL)
    first = _feed(desk)
    again = _feed(desk, f"after={first['next_cursor']}")
    assert again == {"items": [], "next_cursor": first["next_cursor"]}
    desk.create(OTHER_CHANNEL)
    later = _feed(desk, f"after={first['next_cursor']}")
    assert len(later["items"]) == 1 and later["next_cursor"] > first["next_cursor"]


def test_personal_data_is_masked_for_a_reader_without_access(desk: Journey, as_: As) -> None:
    desk.create({**OTHER_CHANNEL, "reporter_name": "Rina Wulandari"})
    opening = _feed(as_("audit"))["items"][0]
    assert opening["data"]["data"]["reporter_name"] == "***"
    assert "Rina Wulandari" not in json.dumps(_feed(as_("audit")))


def test_filters_and_scope_narrow_the_feed(desk: Journey, as_: As) -> None:
    routed = desk.create(OTHER_CHANNEL)["id"]
    desk.to_authority_check(routed)  # its agency: DSDABM
    desk.create(OTHER_CHANNEL)
    assert {c["subject"] for c in _all(as_("dsdabm"))} == {routed}
    assert _all(as_("dinkes")) == []
    accepted = _all(desk, "type=accept")
    assert len(accepted) == 1 and accepted[0]["type"].endswith(".accept")
    assert {c["subject"] for c in _all(desk, f"ticket={routed}")} == {routed}
    assert _all(desk, "sop=another-sop") == []


def test_a_bad_cursor_is_refused_saying_what_to_send(desk: Journey) -> None:
    bad = desk.call("GET", "/v1/changes?after=-1", expect=422)
    assert "after" in bad.body["errors"]
