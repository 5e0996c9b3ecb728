"""Opening, reading and listing tickets."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import As, sign_in
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL


def test_a_new_ticket_shows_its_step_status_deadline_and_next_events(
    client: FlaskClient, desk: Journey
) -> None:
    reply = desk.call(
        "POST",
        "/v1/tickets",
        {"sop": "surabaya-complaints", "fields": OTHER_CHANNEL, "external_ref": "IG-1"},
        expect=201,
    )
    ticket = reply.body
    assert reply.headers["Location"] == f"/v1/tickets/{ticket['id']}"
    assert reply.headers["ETag"] == '"1"'
    assert ticket["state"] == "receive_inquiry" and ticket["step"]["number"] == 1
    assert ticket["status"] == {"id": "received", "label": "Diterima"}
    assert ticket["revision"] == "r1" and len(ticket["spec_hash"]) == 64
    assert ticket["external_ref"] == "IG-1"
    # 1 working day from Monday 09:00 WIB: Tuesday 09:00 WIB = 02:00 UTC.
    assert ticket["deadlines"] == [
        {
            "kind": "sla",
            "name": "receive_inquiry",
            "step_number": 1,
            "due": "2025-01-07T02:00:00+00:00",
            "overdue": False,
        }
    ]
    assert [e["type"] for e in ticket["allowed_events"]] == ["accept"]
    assert desk.ticket(ticket["id"]) == ticket

    again = client.get(
        f"/v1/tickets/{ticket['id']}",
        headers={"Authorization": "Bearer root-secret", "If-None-Match": '"1"'},
    )
    assert again.status_code == 304


def test_creating_with_the_same_idempotency_key_opens_one_ticket(desk: Journey) -> None:
    body = {"sop": "surabaya-complaints", "fields": OTHER_CHANNEL}
    key = {"Idempotency-Key": "create-1"}
    first = desk.call("POST", "/v1/tickets", body, key, expect=201)
    assert "Idempotent-Replayed" not in first.headers
    desk.post(first.body["id"], "accept", "staff")  # the ticket moves on meanwhile
    second = desk.call("POST", "/v1/tickets", body, key, expect=201)
    # The first answer again, as a replayed event's is: status, body, headers, and the flag.
    assert second.headers["Idempotent-Replayed"] == "true"
    assert second.body == first.body and second.body["version"] == 1
    for header in ("Location", "ETag"):
        assert second.headers[header] == first.headers[header]
    assert len(desk.call("GET", "/v1/tickets").body["items"]) == 1
    clash = desk.call("POST", "/v1/tickets", {**body, "external_ref": "x"}, key, expect=409)
    assert clash.body["code"] == "conflict"


def test_an_idempotency_key_is_the_callers_own_for_openings_and_one_tickets_for_events(
    as_: As,
) -> None:
    body = {"sop": "surabaya-complaints", "fields": OTHER_CHANNEL}
    key = {"Idempotency-Key": "1"}  # a key two clients may well both pick
    desk, bridge = as_("desk"), as_("bridge")
    mine = desk.call("POST", "/v1/tickets", body, key, expect=201)
    theirs = bridge.call("POST", "/v1/tickets", {**body, "external_ref": "B"}, key, expect=201)
    assert "Idempotent-Replayed" not in theirs.headers and theirs.body["id"] != mine.body["id"]
    again = bridge.call("POST", "/v1/tickets", body, key, expect=409)  # its own "1" is taken
    assert again.body["code"] == "conflict"
    # Events: the same key on two tickets is two requests, both applied.
    accept = {"type": "accept", "actor": "staff"}
    for ticket in (mine.body, theirs.body):
        reply = desk.call("POST", f"/v1/tickets/{ticket['id']}/events", accept, key)
        assert reply.body["replayed"] is False and reply.body["ticket"]["version"] == 2


def test_bad_ticket_bodies_say_what_to_fix_and_open_nothing(desk: Journey) -> None:
    cases = [
        ({"sop": "no-such-sop"}, "sop"),
        ({"fields": {}}, "sop"),
        ({"sop": "surabaya-complaints", "fields": {"colour": "red"}}, "colour"),
        ({"sop": "surabaya-complaints", "fields": {"channel": "fax"}}, "channel"),
        ({"sop": "surabaya-complaints", "fields": []}, "fields"),
        ({"sop": "surabaya-complaints", "occurred_at": "2025-01-06T08:00:00"}, "occurred_at"),
        ({"sop": "surabaya-complaints", "occurred_at": "2031-01-01T00:00:00Z"}, "occurred_at"),
        ({"sop": "surabaya-complaints", "unknown": 1}, "unknown"),
        ({"sop": "surabaya-complaints", "occurred_at": "2020-01-01T00:00:00Z"}, "occurred_at"),
    ]
    for body, field in cases:
        reply = desk.call("POST", "/v1/tickets", body, expect=None)
        assert reply.status == 422, (body, reply.body)
        assert field in reply.body["errors"], (body, reply.body)
        assert reply.body["detail"]
    assert desk.call("GET", "/v1/tickets").body["items"] == []


def test_list_filters_and_pages(desk: Journey, as_: As) -> None:
    ids = [desk.create()["id"] for _ in range(5)]
    desk.post(ids[0], "accept", "staff")
    page = desk.call("GET", "/v1/tickets?limit=2").body
    assert [t["id"] for t in page["items"]] == ids[::-1][:2]  # newest first
    rest = desk.call("GET", f"/v1/tickets?limit=10&cursor={page['next_cursor']}").body
    assert [t["id"] for t in rest["items"]] == ids[::-1][2:]
    assert rest["next_cursor"] is None

    at_two = desk.call("GET", "/v1/tickets?state=monitor_channels").body["items"]
    assert [t["id"] for t in at_two] == [ids[0]]
    assert len(desk.call("GET", "/v1/tickets?status=received").body["items"]) == 5
    assert desk.call("GET", "/v1/tickets?overdue=true").body["items"] == []

    desk.advance("2 calendar days")  # Wednesday: step 1's and step 2's 1-day limits passed
    late = desk.call("GET", "/v1/tickets?overdue=true").body["items"]
    assert len(late) == 5 and all(t["overdue"] for t in late)

    bad = desk.call("GET", "/v1/tickets?limit=0&overdue=maybe", expect=422).body
    assert {"limit", "overdue"} <= set(bad["errors"])
    desk.call("GET", "/v1/tickets?scope=agency", expect=422)
    desk.call("GET", "/v1/tickets?state=a&state=b", expect=422)


def test_open_and_closed_say_whether_the_ticket_left_the_sop_whatever_its_status_reads(
    desk: Journey, client: FlaskClient
) -> None:
    steps = desk.call("GET", "/v1/sops/surabaya-complaints/revisions/r1").body["steps"]
    tid = desk.create()["id"]
    desk.to_confirmation(tid)
    desk.post(tid, "confirmed", "staff", {"reporter_response": "Terima kasih"})
    closing = desk.post(tid, "close", "staff")  # its step's status is the final-looking one
    closing_step = next(s for s in steps if s["number"] == closing["step"]["number"] - 1)
    sign_in(client, "root")

    def listed(open_: bool) -> dict | None:
        items = desk.call("GET", f"/v1/tickets?open={str(open_).lower()}").body["items"]
        return next((t for t in items if t["id"] == tid), None)

    def web_row(open_: str) -> str:
        html = client.get(f"/web/tickets?open={open_}").get_data(as_text=True)
        rows = [r for r in html.split("<tr") if tid in r]
        return rows[0] if rows else ""

    # A step still runs (replying on the channel), though the status already reads final.
    detail = desk.ticket(tid)
    assert detail["status"] == closing_step["status"] and detail["step"] is not None
    assert (detail["open"], detail["closed"], detail["state"]) == (True, None, detail["step"]["id"])
    assert listed(True) == detail and listed(False) is None
    assert f"{detail['step']['number']}. " in web_row("yes") and web_row("no") == ""
    assert "ditutup" not in web_row("yes")

    desk.post(tid, "replied", "staff", {"reply_text": "Sudah kami perbaiki"})  # to `end`
    ended = desk.ticket(tid)
    left_at = desk.timeline(tid)[-1]["at"]
    assert (ended["open"], ended["closed"], ended["state"], ended["step"]) == (
        False,
        left_at,
        "end",
        None,
    )
    assert ended["status"] == detail["status"]
    assert listed(False) == ended and listed(True) is None
    assert "ditutup" in web_row("no") and web_row("yes") == ""
