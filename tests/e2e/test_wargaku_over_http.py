"""A complaint made in WargaKu, opened over HTTP as the city's app would, driven by the paper's
step numbers through both authority branches to the end against a real `sop serve --clock
manual` process. A WargaKu complaint skips step 3, where Kategori, Topik and OPD are entered:
the operator gives them later (with the response, the authority decision, the routing or the
SP4N-LAPOR! entry), and step 4's response is due within 1x24 jam, weekend or not."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.api.journey import FOLLOW_UP, SOP, Journey
from tests.e2e.conftest import Receiver
from tests.e2e.test_seed_over_http import (
    DONE,
    FOLLOWED_UP,
    IN_PROGRESS,
    RECEIVED,
    _hooks_for,
    _label,
    _step,
)
from tests.support.seed import WIB

# Friday 10 January 2025, 15:00 in Surabaya: no holiday within two weeks.
FRIDAY_3PM = datetime(2025, 1, 10, 15, 0, tzinfo=WIB)
WK = "wargaku"
LAPOR = "LAPOR-2025-0110-0007"  # the complaint's ticket number in SP4N-LAPOR!
# What the citizen's report in WargaKu carries: no Kategori, Topik or OPD.
WARGAKU_REPORT = {
    "channel": WK,
    "reporter_name": "Sri Rahayu",
    "reporter_phone": "+6281330001111",
    "complaint_text": "Lampu penerangan jalan mati di Jl. Ahmad Yani depan Royal Plaza",
    "location": "Jl. Ahmad Yani 16, Wonokromo, Surabaya",
    "attachment": "https://wargaku.example/lampiran/20250110-42.jpg",
}


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


class Desk:
    """One WargaKu ticket, moved as a client would: each event picked from the ticket's
    allowed events, its data within what that event accepts; every (step, label) kept."""

    def __init__(self, api: Journey, external_ref: str) -> None:
        self.api = api
        body = {"sop": SOP, "fields": WARGAKU_REPORT, "external_ref": external_ref}
        self.ticket: dict[str, Any] = api.call("POST", "/v1/tickets", body, expect=201).body
        self.id: str = self.ticket["id"]
        self.seen = [(_step(self.ticket), _label(self.ticket))]

    def post(self, type_: str, actor: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        offered = {e["type"]: e for e in self.ticket["allowed_events"]}
        assert type_ in offered, f"{type_} not offered at step {_step(self.ticket)}: {offered}"
        event = offered[type_]
        assert actor in event["by"]
        assert set(data or {}) <= {*event["accepts"], *event["requires"]}
        self.ticket = self.api.post(self.id, type_, actor, data)
        self.seen.append((_step(self.ticket), _label(self.ticket)))
        return self.ticket

    def refresh(self) -> dict[str, Any]:
        self.ticket = self.api.ticket(self.id)
        self.seen.append((_step(self.ticket), _label(self.ticket)))
        return self.ticket

    def notes(self) -> list[dict[str, Any]]:
        return [n for n in self.api.notifications() if n["ticket_id"] == self.id]

    def to_authority_check(self, response: dict[str, Any]) -> None:
        """1-2-4-5, reaching step 4 on Friday at 16:00, whose response is due 24 hours later."""
        self.post("accept", "staff")
        self.api.advance("60 minutes")
        at_four = self.post("triage", "staff")  # from WargaKu: no step 3
        [deadline] = at_four["deadlines"]
        entered_four = next(e["at"] for e in self.api.timeline(self.id) if e["entered_step"] == 4)
        assert deadline["step_number"] == 4
        assert _time(deadline["due"]) - _time(entered_four) == timedelta(hours=24)
        # Saturday 16:00 WIB: one working day would have run to Monday 16:00.
        assert _time(deadline["due"]) == FRIDAY_3PM + timedelta(days=1, hours=1)
        assert {e["type"] for e in at_four["allowed_events"]} == {"responded"}
        self.post("responded", "staff", response)
        decisions = {e["type"]: e for e in self.ticket["allowed_events"]}
        assert set(decisions) == {"within_authority", "outside_authority"}
        for decision in decisions.values():  # either may carry the classification
            assert {"category", "topic", "agency"} <= set(decision["accepts"])


def test_a_wargaku_complaint_within_authority_closes_itself_after_7_plus_7_days(
    make_server: Any, receiver: Receiver
) -> None:
    api = make_server(receiver).start(clock_start=FRIDAY_3PM.isoformat()).journey()
    desk = Desk(api, "WK-2025-0110-0042")
    desk.to_authority_check({"response_text": "Terima kasih, laporan Anda kami proses."})
    desk.post("within_authority", "staff")

    # Routing without Kategori and Topik is refused, naming them; nothing changes.
    before = api.ticket(desk.id)
    refused = api.call(
        "POST", f"/v1/tickets/{desk.id}/events",
        {"type": "routed", "actor": "staff", "data": {"agency": "DPRKPP"}}, expect=422,
    )  # fmt: skip
    assert refused.body["code"] == "missing_inputs"
    assert {"category", "topic"} <= set(refused.body["errors"])
    assert "Kategori" in refused.body["detail"] and "Topik" in refused.body["detail"]
    after = api.ticket(desk.id)
    assert (after["version"], after["fields"].get("agency")) == (before["version"], None)
    assert desk.notes() == []

    classification = {"category": "Penerangan jalan", "topic": "Lampu mati", "agency": "DPRKPP"}
    desk.post("routed", "staff", classification)
    desk.post("agency_responded", "agency", {"agency_response_text": "Petugas kami jadwalkan."})
    desk.post("follow_up_submitted", "agency", FOLLOW_UP)
    desk.post("substance_ok", "staff")
    desk.post("validated", "staff")
    # No confirmation from the reporter: the second notification after 7 days, then the
    # system closes the complaint itself 7 days later; the operator replies on WargaKu.
    api.advance("7 calendar days")
    desk.refresh()
    api.advance("7 calendar days")
    desk.refresh()
    desk.post("replied", "staff", {"reply_text": "Lampu sudah diganti oleh DPRKPP."})

    assert desk.seen == [
        (1, RECEIVED), (2, RECEIVED), (4, RECEIVED), (5, IN_PROGRESS), (7, IN_PROGRESS),
        (8, IN_PROGRESS), (9, IN_PROGRESS), (10, IN_PROGRESS), (11, IN_PROGRESS),
        (12, FOLLOWED_UP), (13, FOLLOWED_UP), (15, DONE), (None, DONE),
    ]  # fmt: skip
    final = api.ticket(desk.id)
    assert (final["state"], final["open"], final["deadlines"]) == ("end", False, [])
    assert final["closed"] is not None
    assert {k: final["fields"][k] for k in classification} == classification
    timeline = api.timeline(desk.id)
    entered = [e["entered_step"] for e in timeline]
    assert [n for n in entered if n is not None] == [1, 2, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15]
    closing = [(e["event"], e["actor"]) for e in timeline if e["entered_step"] in (14, 15)]
    assert closing == [("confirmation_period_ended", "system"), ("close", "system")]

    outbox = desk.notes()
    hooks = _hooks_for(receiver, desk.id, len(outbox))
    assert sorted(h["id"] for h in hooks) == sorted(n["id"] for n in outbox)
    sent = [(h["template"], h["to"], h["scope"], h["channel"]) for h in hooks]
    assert sent == [
        ("routed_to_agency", "agency", "DPRKPP", None),
        ("follow_up_result", "reporter", None, WK),
        ("second_notification", "reporter", None, None),
        ("result_reply", "reporter", None, WK),
    ]


def test_a_wargaku_complaint_outside_authority_goes_to_sp4n_lapor_and_ends(
    make_server: Any, receiver: Receiver
) -> None:
    api = make_server(receiver).start(clock_start=FRIDAY_3PM.isoformat()).journey()
    desk = Desk(api, "WK-2025-0110-0043")
    # Kategori and Topik with the response (step 4); the body it goes to with the entry (6).
    desk.to_authority_check(
        {"response_text": "Laporan Anda kami proses.", "category": "Penerangan jalan",
         "topic": "Jalan nasional"}
    )  # fmt: skip
    desk.post("outside_authority", "staff")
    refused = api.call(
        "POST", f"/v1/tickets/{desk.id}/events",
        {"type": "entered_national", "actor": "staff",
         "data": {"national_reference": LAPOR}}, expect=422,
    )  # fmt: skip
    assert refused.body["code"] == "missing_inputs" and set(refused.body["errors"]) == {"agency"}
    desk.post(
        "entered_national", "staff",
        {"national_reference": LAPOR, "agency": "BBPJN-JATIM"},
    )  # fmt: skip
    desk.post("close", "staff")
    desk.post("replied", "staff", {"reply_text": f"Diteruskan ke SP4N-LAPOR! {LAPOR}."})

    assert desk.seen == [
        (1, RECEIVED), (2, RECEIVED), (4, RECEIVED), (5, IN_PROGRESS), (6, IN_PROGRESS),
        (14, IN_PROGRESS), (15, DONE), (None, DONE),
    ]  # fmt: skip
    final = api.ticket(desk.id)
    assert (final["state"], final["open"], final["deadlines"]) == ("end", False, [])
    assert final["closed"] is not None
    fields = final["fields"]
    assert (fields["national_reference"], fields["agency"]) == (LAPOR, "BBPJN-JATIM")
    assert (fields["category"], fields["topic"]) == ("Penerangan jalan", "Jalan nasional")
    entered = [e["entered_step"] for e in api.timeline(desk.id)]
    assert entered == [1, 2, 4, 5, 6, 14, 15, None]

    [reply] = _hooks_for(receiver, desk.id, 1)
    assert (reply["template"], reply["to"], reply["channel"]) == ("result_reply", "reporter", WK)
    assert LAPOR in reply["text"]
    assert [n["template"] for n in desk.notes()] == ["result_reply"]
