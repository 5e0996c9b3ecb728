"""The seed SOP driven over HTTP against a real `sop serve --clock manual` process, with the
notifications arriving, signed, at a webhook receiver on 127.0.0.1."""

from __future__ import annotations

from collections import Counter
from typing import Any

from standardwebhooks import Webhook

from tests.api.journey import FOLLOW_UP, Journey
from tests.e2e.conftest import HOOK_SECRET, Receiver, Server
from tests.support.seed import ROUTING

RECEIVED, IN_PROGRESS, FOLLOWED_UP, DONE = (
    "Diterima",
    "Sedang Ditindaklanjuti",
    "Sudah Ditindaklanjuti",
    "Selesai",
)


def _label(ticket: dict[str, Any]) -> str:
    return ticket["status"]["label"]


def _step(ticket: dict[str, Any]) -> int | None:
    return ticket["step"]["number"] if ticket["step"] else None


def _hooks_for(receiver: Receiver, ticket_id: str, count: int) -> list[dict[str, Any]]:
    items = receiver.wait_for(
        lambda got: sum(r.json["ticket_id"] == ticket_id for r in got) >= count
    )
    mine = [r for r in items if r.json["ticket_id"] == ticket_id]
    for r in mine:  # each signed with the channel's secret over id, timestamp and exact body
        Webhook(HOOK_SECRET).verify(r.body, r.headers, json_parse=False)  # raises if not
        assert r.headers["webhook-id"] == r.headers["x-sop-notification-id"] == r.json["id"]
    return [r.json for r in mine]


def test_other_channel_ticket_through_every_step_with_one_correction(
    make_server: Any, receiver: Receiver
) -> None:
    server: Server = make_server(receiver).start()
    api: Journey = server.journey()
    t = api.create()
    tid = t["id"]
    seen = [(_step(t), _label(t))]

    def post(type_: str, actor: str, data: dict[str, Any] | None = None) -> None:
        ticket = api.post(tid, type_, actor, data)
        seen.append((_step(ticket), _label(ticket)))

    post("accept", "staff")
    post("triage", "staff")  # instagram: not WargaKu, so it is entered into the app (3)
    post("entered", "staff", ROUTING)
    post("responded", "staff", {"response_text": "Kami proses"})
    post("within_authority", "staff")
    post("routed", "staff")
    post("agency_responded", "agency", {"agency_response_text": "Diterima"})
    post("follow_up_submitted", "agency", FOLLOW_UP)
    post("substance_not_ok", "staff", {"correction_note": "Foto kurang jelas"})
    post("follow_up_submitted", "agency", FOLLOW_UP)
    post("substance_ok", "staff")
    post("validated", "staff")
    post("confirmed", "reporter", {"reporter_response": "Terima kasih"})
    post("close", "staff")
    post("replied", "staff", {"reply_text": "Pengaduan selesai ditangani"})

    assert seen == [
        (1, RECEIVED), (2, RECEIVED), (3, RECEIVED), (4, RECEIVED), (5, IN_PROGRESS),
        (7, IN_PROGRESS), (8, IN_PROGRESS), (9, IN_PROGRESS), (10, IN_PROGRESS),
        (9, IN_PROGRESS), (10, IN_PROGRESS), (11, IN_PROGRESS), (12, FOLLOWED_UP),
        (14, FOLLOWED_UP), (15, DONE), (None, DONE),
    ]  # fmt: skip
    final = api.ticket(tid)
    assert final["state"] == "end" and final["open"] is False and final["deadlines"] == []
    entered = [e["entered_step"] for e in api.timeline(tid)]
    assert entered == [1, 2, 3, 4, 5, 7, 8, 9, 10, 9, 10, 11, 12, 14, 15, None]

    outbox = [n for n in api.notifications() if n["ticket_id"] == tid]
    hooks = _hooks_for(receiver, tid, len(outbox))
    assert sorted(h["id"] for h in hooks) == sorted(n["id"] for n in outbox)
    assert [h["template"] for h in hooks] == [
        "routed_to_agency", "correction_request", "follow_up_result", "result_reply",
    ]  # fmt: skip
    assert hooks[0]["to"] == "agency" and hooks[0]["scope"] == ROUTING["agency"]
    assert hooks[2]["to"] == "reporter" and hooks[2]["channel"] == "instagram"


def test_outside_authority_goes_to_the_national_system_then_closes(
    make_server: Any, receiver: Receiver
) -> None:
    api = make_server(receiver).start().journey()
    tid = api.create()["id"]
    api.to_authority_check(tid)
    national = api.post(tid, "outside_authority", "staff")
    assert (_step(national), _label(national)) == (6, IN_PROGRESS)
    refused = api.call(
        "POST", f"/v1/tickets/{tid}/events",
        {"type": "entered_national", "actor": "staff"}, expect=422,
    )  # fmt: skip
    assert refused.body["code"] == "missing_inputs"
    assert "national_reference" in refused.body["errors"]
    closing = api.post(tid, "entered_national", "staff", {"national_reference": "LAPOR-123"})
    assert (_step(closing), _label(closing)) == (14, IN_PROGRESS)
    replying = api.post(tid, "close", "staff")
    assert (_step(replying), _label(replying)) == (15, DONE)
    done = api.post(tid, "replied", "staff", {"reply_text": "Diteruskan ke SP4N-LAPOR!"})
    assert done["state"] == "end" and _label(done) == DONE
    entered = [e["entered_step"] for e in api.timeline(tid)]
    assert entered == [1, 2, 3, 4, 5, 6, 14, 15, None]
    hooks = _hooks_for(receiver, tid, 1)
    assert [h["template"] for h in hooks] == ["result_reply"]


def test_no_confirmation_sends_a_second_notification_then_closes_by_itself(
    make_server: Any, receiver: Receiver
) -> None:
    api = make_server(receiver).start().journey()
    tid = api.create()["id"]
    waiting = api.to_confirmation(tid)
    assert (_step(waiting), _label(waiting)) == (12, FOLLOWED_UP)
    [deadline] = waiting["deadlines"]
    validated_at = api.timeline(tid)[-1]["at"]
    assert deadline["step_number"] == 12
    assert deadline["due"] > validated_at  # 7 calendar days on

    api.advance("6 calendar days")
    assert _step(api.ticket(tid)) == 12  # not yet
    api.advance("1 calendar days")
    second = api.ticket(tid)
    assert (_step(second), _label(second)) == (13, FOLLOWED_UP)
    hooks = _hooks_for(receiver, tid, 3)
    assert [h["template"] for h in hooks][-1] == "second_notification"
    assert hooks[-1]["to"] == "reporter"

    api.advance("7 calendar days")
    closed = api.ticket(tid)
    assert (_step(closed), _label(closed)) == (15, DONE)
    auto = [(e["event"], e["caused_by"]) for e in api.timeline(tid)][-3:]
    assert auto == [
        ("deadline", None),  # step 13's 7 days passed; the rules fire the closing events
        ("confirmation_period_ended", "auto-close"),
        ("close", "auto-close"),
    ]
    assert {e["actor"] for e in api.timeline(tid)[-2:]} == {"system"}
    ids = [h.json["id"] for h in receiver.items() if h.json["ticket_id"] == tid]
    assert not [i for i, n in Counter(ids).items() if n > 1]


def test_serve_prints_the_docs_url_and_warns_about_dev_mode(make_server: Any) -> None:
    server: Server = make_server().start()
    docs = server.journey().call("GET", "/v1/docs", expect=None)
    assert docs.status == 200
    log = server.tail()
    assert f"API docs: {server.base}/v1/docs" in log
    assert "NO AUTHENTICATION" in log and "127.0.0.1 only" in log
