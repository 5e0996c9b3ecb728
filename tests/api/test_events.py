"""Posting events: results, refusals, If-Match, Idempotency-Key, the timeline."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import As, sign_in
from tests.api.journey import FOLLOW_UP, Journey


def _events(desk: Journey, ticket_id: str) -> list[str]:
    return [e["event"] for e in desk.timeline(ticket_id)]


def test_an_event_moves_the_ticket_and_returns_what_it_recorded(desk: Journey) -> None:
    ticket = desk.create()
    reply = desk.call(
        "POST", f"/v1/tickets/{ticket['id']}/events", {"type": "accept", "actor": "staff"}
    )
    body = reply.body
    assert reply.headers["ETag"] == '"2"'
    assert body["replayed"] is False
    assert body["ticket"]["step"]["number"] == 2 and body["ticket"]["version"] == 2
    [entry] = body["entries"]
    assert entry["event"] == "accept" and entry["user"] == "root"
    assert (entry["finished_step"], entry["entered_step"]) == (1, 2)
    assert entry["revision"] == "r1" and entry["spec_hash"] == ticket["spec_hash"]
    assert _events(desk, ticket["id"]) == ["created", "accept"]


def test_refused_events_are_problems_that_change_nothing(desk: Journey) -> None:
    tid = desk.create()["id"]
    path = f"/v1/tickets/{tid}/events"
    not_now = desk.call("POST", path, {"type": "validated", "actor": "staff"}, expect=409).body
    assert not_now["code"] == "event_not_allowed" and "accept" in not_now["detail"]
    unknown = desk.call("POST", path, {"type": "teleport", "actor": "staff"}, expect=422).body
    assert unknown["code"] == "unknown_event"
    wrong_actor = desk.call("POST", path, {"type": "accept", "actor": "agency"}, expect=403).body
    assert wrong_actor["code"] == "actor_not_allowed"
    # the engine's own timer events: refused by the service (the view does not check), 422
    reserved = desk.call("POST", path, {"type": "deadline", "actor": "system"}, expect=422).body
    assert reserved["code"] == "invalid_data" and "type" in reserved["errors"]
    desk.call("POST", "/v1/tickets/NOPE/events", {"type": "accept", "actor": "staff"}, expect=404)

    desk.to_follow_up(tid)
    missing = desk.call(
        "POST",
        path,
        {"type": "follow_up_submitted", "actor": "agency", "data": {"follow_up_text": "done"}},
        expect=422,
    ).body
    assert missing["code"] == "missing_inputs"
    assert list(missing["errors"]) == ["follow_up_photo"]
    wrong_type = desk.call(
        "POST",
        path,
        {
            "type": "follow_up_submitted",
            "actor": "agency",
            "data": {**FOLLOW_UP, "follow_up_text": 7},
        },
        expect=422,
    )
    assert "follow_up_text" in wrong_type.body["errors"]
    assert desk.ticket(tid)["step"]["number"] == 9
    assert _events(desk, tid)[-1] == "agency_responded"


def test_if_match_with_an_old_version_is_412_with_the_current_one(desk: Journey) -> None:
    tid = desk.create()["id"]
    path = f"/v1/tickets/{tid}/events"
    desk.call("POST", path, {"type": "accept", "actor": "staff"}, {"If-Match": '"1"'})
    stale = desk.call(
        "POST", path, {"type": "triage", "actor": "staff"}, {"If-Match": '"1"'}, expect=412
    )
    assert stale.body["code"] == "precondition_failed"
    assert stale.body["current_version"] == 2
    assert stale.headers["ETag"] == '"2"'
    assert _events(desk, tid) == ["created", "accept"]
    bad = desk.call(
        "POST", path, {"type": "triage", "actor": "staff"}, {"If-Match": "abc"}, expect=422
    )
    assert "If-Match" in bad.body["errors"]
    ok = desk.call("POST", path, {"type": "triage", "actor": "staff"}, {"If-Match": '"2"'})
    assert ok.body["ticket"]["version"] == 3


def test_a_repeated_idempotency_key_returns_the_first_result_and_records_nothing(
    desk: Journey,
) -> None:
    tid = desk.create()["id"]
    path = f"/v1/tickets/{tid}/events"
    key = {"Idempotency-Key": "evt-1"}
    first = desk.call("POST", path, {"type": "accept", "actor": "staff"}, key)
    again = desk.call("POST", path, {"type": "accept", "actor": "staff"}, key)
    assert again.body["replayed"] is True and again.headers["Idempotent-Replayed"] == "true"
    assert again.body["entries"] == first.body["entries"]
    assert again.body["ticket"]["version"] == first.body["ticket"]["version"] == 2
    assert _events(desk, tid) == ["created", "accept"]
    other = desk.call("POST", path, {"type": "triage", "actor": "staff"}, key, expect=409)
    assert other.body["code"] == "conflict"


def test_rule_fired_events_appear_in_the_result_and_the_timeline(desk: Journey) -> None:
    tid = desk.create()["id"]
    desk.to_confirmation(tid)
    desk.advance("7 calendar days")  # no confirmation: the rules move to step 13
    ticket = desk.ticket(tid)
    assert ticket["step"]["number"] == 13
    last = desk.timeline(tid)[-1]
    assert last["event"] == "no_confirmation" and last["caused_by"] == "no-confirmation"


def test_concurrent_posts_of_one_step_apply_once_and_lose_nothing(desk: Journey) -> None:
    from concurrent.futures import ThreadPoolExecutor

    tid = desk.create()["id"]
    path = f"/v1/tickets/{tid}/events"

    def post(i: int) -> int:
        headers = {"If-Match": '"1"'} if i % 2 else {}
        return desk.call("POST", path, {"type": "accept", "actor": "staff"}, headers,
                         expect=None).status  # fmt: skip

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(post, range(16)))
    assert statuses.count(200) == 1
    assert set(statuses) <= {200, 409, 412}  # the others see the step already done
    assert _events(desk, tid) == ["created", "accept"]
    assert desk.ticket(tid)["version"] == 2


def test_a_timeline_entry_s_actor_is_the_sop_actor_who_performed_it_or_null(
    as_: As, desk: Journey, client: FlaskClient
) -> None:
    opened_by_staff = as_("desk").create()["id"]  # the token's first actor opens it
    tid = desk.create()["id"]  # an admin token acts as any actor: opened by none
    desk.to_confirmation(tid)
    desk.advance("7 calendar days")  # step 12's limit passes: the rules fire no_confirmation
    entries = {e["event"]: e for e in desk.timeline(tid)}
    assert as_("desk").timeline(opened_by_staff)[0]["actor"] == "staff"
    assert entries["created"]["actor"] is None
    assert entries["deadline"]["actor"] is None and entries["deadline"]["caused_by"] is None
    assert entries["validated"]["actor"] == "staff"
    fired = entries["no_confirmation"]  # recorded as the event's performer in the SOP
    assert (fired["actor"], fired["caused_by"], fired["user"]) == (
        "system",
        "no-confirmation",
        None,
    )
    posted = desk.call("POST", f"/v1/tickets/{tid}/events", {"type": "confirmed", "actor": "staff"})
    assert [e["actor"] for e in posted.body["entries"]] == ["staff"]
    # The web timeline says the same: the engine's clock, no one, the SOP's actor by label.
    sign_in(client, "root")
    html = client.get(f"/web/tickets/{tid}").get_data(as_text=True)
    who = [cell.split("</td>", 1)[0] for cell in html.split('<td class="performer">')[1:]]
    assert who[0].startswith('<span class="muted">-</span>')  # created, by no SOP actor
    assert any(w.startswith("mesin (waktu)") for w in who)  # the deadline
    assert any(w.startswith("Sistem") for w in who)  # no_confirmation, by the SOP's system
