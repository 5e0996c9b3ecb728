"""The service layer over a real store: tickets, events, idempotency, If-Match, scopes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.app.service import TicketService
from engine.errors import Conflict, InvalidData, NotFound, TicketError, VersionMismatch
from engine.spec.catalog import load_catalog
from engine.store import Store
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROOT, ROUTING

from .conftest import SOP


def to_routing(service: TicketService, ticket_id: str) -> None:
    for type_, data in [
        ("accept", {}),
        ("triage", {}),
        ("entered", ROUTING),
        ("responded", {"response_text": "Terima kasih, kami proses"}),
        ("within_authority", {}),
        ("routed", {}),
    ]:
        service.post_event(ticket_id, type_, "staff", data, user="operator-1")


def event_count(store: Store) -> int:
    with store.read() as tx:
        return tx.conn.execute(text("SELECT count(*) FROM events")).scalar_one()


def test_a_created_ticket_reads_back_with_what_may_happen_next(service, new, store):
    made = new()
    got = service.get_ticket(made.id)
    assert got.ticket == made.ticket
    assert got.ticket.state == "receive_inquiry" and got.version == 1
    assert got.allowed_events == ("accept",)
    assert [d.name for d in got.deadlines] == ["receive_inquiry"]
    assert got.spec_key == f"{SOP}@r1" and got.spec_hash == got.spec.content_hash
    assert [e["event"] for e in service.timeline(made.id)] == ["created"]
    with store.read() as tx:  # the governing revision's exact text is kept by its hash
        assert tx.has_revision(got.spec_hash)


def test_ticket_ids_are_short_unique_and_sortable(new):
    ids = [new().id for _ in range(5)]
    assert ids == sorted(ids)
    assert len(set(ids)) == 5 and all(len(i) <= 20 for i in ids)


def test_an_event_moves_the_ticket_and_is_logged(service, new):
    made = new()
    result = service.post_event(made.id, "accept", "staff", {}, user="operator-1")
    assert not result.replayed
    assert result.ticket.state == "monitor_channels" and result.record.version == 2
    assert [e.event for e in result.log] == ["accept"]
    assert service.get_ticket(made.id).ticket == result.ticket
    timeline = service.timeline(made.id)
    assert [(e["seq"], e["event"], e["user"]) for e in timeline] == [
        (1, "created", "operator-1"),
        (2, "accept", "operator-1"),
    ]


def test_unknown_tickets_are_not_found(service):
    for call in (
        lambda: service.get_ticket("NOPE"),
        lambda: service.timeline("NOPE"),
        lambda: service.post_event("NOPE", "accept", "staff", {}, user=None),
    ):
        with pytest.raises(NotFound):
            call()


def test_a_refused_event_changes_nothing(service, new, store):
    made = new()
    before = event_count(store)
    with pytest.raises(TicketError):
        service.post_event(made.id, "routed", "staff", {}, user=None)  # not at this step
    with pytest.raises(TicketError):
        service.post_event(made.id, "accept", "agency", {}, user=None)  # not its performer
    with pytest.raises(InvalidData, match="engine's own event") as reserved:
        service.post_event(made.id, "deadline", "staff", {"step": "receive_inquiry"}, user=None)
    assert list(reserved.value.details["errors"]) == ["type"]
    with pytest.raises(InvalidData):
        service.post_event(made.id, "accept", "staff", ["not", "a", "dict"], user=None)
    assert event_count(store) == before
    assert service.get_ticket(made.id).ticket == made.ticket


def test_a_retried_post_with_its_key_replays_and_writes_nothing(service, new, store):
    made = new()
    first = service.post_event(made.id, "accept", "staff", {}, user="u", idempotency_key="k-1")
    before = event_count(store)
    again = service.post_event(made.id, "accept", "staff", {}, user="u", idempotency_key="k-1")
    assert again.replayed and not first.replayed
    assert again.ticket == first.ticket and again.log == first.log
    assert event_count(store) == before
    with pytest.raises(Conflict, match="different request"):
        service.post_event(made.id, "triage", "staff", {}, user="u", idempotency_key="k-1")
    assert event_count(store) == before


def test_a_retried_creation_with_its_key_opens_one_ticket(service, new, store):
    fields = {"complaint_text": "Lampu jalan mati"}
    one = service.create_ticket(SOP, fields, actor="staff", user="u", idempotency_key="c-1")
    two = service.create_ticket(SOP, fields, actor="staff", user="u", idempotency_key="c-1")
    assert one.id == two.id
    assert service.list_tickets().items == [service.get_ticket(one.id)]
    with pytest.raises(Conflict):
        service.create_ticket(
            SOP, {"complaint_text": "x"}, actor="staff", user="u", idempotency_key="c-1"
        )


def test_a_creation_key_stored_before_keys_were_per_caller_still_replays_for_its_caller(
    service, store
):
    """Before, every caller's opening keys shared one scope ("create"): a retry across the
    upgrade replays its ticket for the caller who opened it, and only for that caller."""
    fields = {"complaint_text": "Lampu jalan mati"}
    one = service.create_ticket(SOP, fields, actor="staff", user="u", idempotency_key="c-1")
    with store.write() as tx:  # as the old code stored it
        tx.conn.execute(text("UPDATE idempotency SET scope = 'create' WHERE scope = 'create:u'"))
    again = service.open_ticket(SOP, fields, actor="staff", user="u", idempotency_key="c-1")
    assert (again.record.id, again.replayed) == (one.id, True)
    other = service.open_ticket(SOP, fields, actor="staff", user="v", idempotency_key="c-1")
    assert other.record.id != one.id and not other.replayed
    assert len(service.list_tickets().items) == 2


def test_a_stale_if_match_is_a_version_mismatch_naming_the_current_version(service, new, store):
    made = new()
    service.post_event(made.id, "accept", "staff", {}, user=None, if_match=1)
    before = event_count(store)
    with pytest.raises(VersionMismatch) as stale:
        service.post_event(made.id, "triage", "staff", {}, user=None, if_match=1)
    assert isinstance(stale.value, Conflict)
    assert stale.value.current_version == stale.value.details["current_version"] == 2
    assert event_count(store) == before
    assert (
        service.post_event(made.id, "triage", "staff", {}, user=None, if_match=2).record.version
        == 3
    )


def test_a_write_that_lost_a_race_is_decided_again_on_the_fresh_ticket(
    service, new, clock, monkeypatch
):
    """Between reading the ticket and writing the event, the sweeper applies its deadline."""
    made = new()
    clock.advance(timedelta(days=2))  # receive_inquiry's 1 working day has passed
    from engine import core

    real_apply = core.apply
    raced = []

    def apply_after_a_sweep(spec, ticket, event, now):
        if not raced:
            raced.append(True)
            assert service.sweep() == 1  # commits version 2 under our feet
        return real_apply(spec, ticket, event, now)

    monkeypatch.setattr(core, "apply", apply_after_a_sweep)
    result = service.post_event(made.id, "accept", "staff", {}, user=None)
    assert [e["event"] for e in service.timeline(made.id)] == ["created", "deadline", "accept"]
    assert result.record.version == 3
    assert result.ticket.history[-1].breached_at is not None  # the accept saw the breach


def test_a_race_lost_under_if_match_is_a_version_mismatch_not_a_retry(
    service, new, clock, monkeypatch
):
    """The caller decided on version 1; a sweep wrote version 2 meanwhile: say so, write nothing."""
    made = new()
    clock.advance(timedelta(days=2))
    from engine import core

    real_apply = core.apply

    def apply_after_a_sweep(rev, ticket, event, now):
        if ticket.version == 1:
            assert service.sweep() == 1
        return real_apply(rev, ticket, event, now)

    monkeypatch.setattr(core, "apply", apply_after_a_sweep)
    with pytest.raises(VersionMismatch) as stale:
        service.post_event(made.id, "accept", "staff", {}, user=None, if_match=1)
    assert stale.value.current_version == 2
    assert [e["event"] for e in service.timeline(made.id)] == ["created", "deadline"]


def test_occurred_at_must_be_aware_and_not_in_the_future(service, new):
    made = service.create_ticket(
        SOP, dict(OTHER_CHANNEL), actor="staff", user=None, occurred_at=MONDAY - timedelta(hours=1)
    )
    with pytest.raises(InvalidData, match="time zone"):
        service.post_event(
            made.id, "accept", "staff", {}, user=None, occurred_at=MONDAY.replace(tzinfo=None)
        )
    with pytest.raises(InvalidData, match="future"):
        service.post_event(
            made.id, "accept", "staff", {}, user=None, occurred_at=MONDAY + timedelta(days=1)
        )
    earlier = service.post_event(
        made.id, "accept", "staff", {}, user=None, occurred_at=MONDAY - timedelta(minutes=30)
    )
    assert earlier.log[0].at == MONDAY - timedelta(minutes=30)


def test_an_event_is_not_recorded_before_the_tickets_last_entry(service, new):
    """Backdating: an event years (or a minute) before what the ticket holds is refused, and
    nothing is written; at the last entry's own time it is accepted."""
    made = new()  # opened at MONDAY, the clock's time
    for before in (timedelta(days=3 * 365), timedelta(minutes=1)):
        with pytest.raises(InvalidData, match="before the ticket's last entry") as refused:
            service.post_event(
                made.id, "accept", "staff", {}, user=None, occurred_at=MONDAY - before
            )
        assert refused.value.details["errors"]["occurred_at"]
    assert [e["event"] for e in service.timeline(made.id)] == ["created"]
    service.post_event(made.id, "accept", "staff", {}, user=None, occurred_at=MONDAY)
    assert [e["event"] for e in service.timeline(made.id)] == ["created", "accept"]


def test_an_occurred_at_utc_cannot_hold_is_refused_not_a_crash(service, new):
    """0001-01-01T00:00+14:00 is the year 0 in UTC: refused as the request's mistake."""
    year_one = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
    with pytest.raises(InvalidData, match="outside the years 0001-9999") as opening:
        service.create_ticket(
            SOP, dict(OTHER_CHANNEL), actor="staff", user=None, occurred_at=year_one
        )
    assert opening.value.details["errors"] == {
        "occurred_at": ["outside the years 0001-9999 in UTC"]
    }
    made = new()
    with pytest.raises(InvalidData, match="outside the years 0001-9999"):
        service.post_event(made.id, "accept", "staff", {}, user=None, occurred_at=year_one)
    assert [r.id for r in service.list_tickets().items] == [made.id]  # nothing else opened


def test_lists_filter_by_state_scope_and_overdue_and_page_newest_first(service, new, clock):
    first, second, third = new(), new(), new()
    to_routing(service, second.id)
    assert [r.id for r in service.list_tickets(state="await_agency_response").items] == [second.id]
    assert [r.id for r in service.list_tickets(scope={"agency": "DSDABM"}).items] == [second.id]
    assert service.list_tickets(scope={"agency": "OTHER"}).items == []
    assert [r.id for r in service.list_tickets(status="in_progress").items] == [second.id]
    page = service.list_tickets(limit=2)
    assert [r.id for r in page.items] == [third.id, second.id]
    assert [r.id for r in service.list_tickets(limit=2, cursor=page.next_cursor).items] == [
        first.id
    ]
    assert service.list_tickets(overdue=True).items == []
    clock.advance(timedelta(days=2))
    assert {r.id for r in service.list_tickets(overdue=True).items} == {
        first.id,
        second.id,
        third.id,
    }
    with pytest.raises(InvalidData):
        service.list_tickets(limit=0)


def test_notifications_are_a_feed_with_a_cursor_and_scope(service, new):
    made = new()
    to_routing(service, made.id)
    feed = service.notifications()
    assert feed.items, "routing notifies the agency"
    note = feed.items[-1]
    assert note["to"] == "agency" and note["scope"] == "DSDABM" and note["ticket_id"] == made.id
    assert note["scope_field"] == "agency"
    assert service.notifications(after=feed.next_cursor).items == []
    assert service.notifications(after=feed.next_cursor).next_cursor == feed.next_cursor
    assert service.notifications(scope={"agency": "DSDABM"}).items == [note]
    assert service.notifications(scope={"agency": "ELSEWHERE"}).items == []
    assert service.notifications(to="team_leader").items == []
    with pytest.raises(InvalidData, match="cursor"):
        service.notifications(after="yesterday")


def test_listing_by_open_follows_whether_the_ticket_left_the_sop(service, new):
    running, ended = new(), new()
    for event, data in (
        ("accept", {}),
        ("triage", {}),
        ("entered", ROUTING),
        ("responded", {"response_text": "Kami proses"}),
        ("outside_authority", {}),
        ("entered_national", {"national_reference": "LAPOR-1"}),
        ("close", {}),
    ):
        service.post_event(ended.id, event, "staff", data, user="operator-1")
    assert service.get_ticket(ended.id).ticket.is_open  # replying on the channel still runs
    assert [r.id for r in service.list_tickets(open=True).items] == [ended.id, running.id]
    service.post_event(ended.id, "replied", "staff", {"reply_text": "Diteruskan"}, user=None)
    assert [r.id for r in service.list_tickets(open=True).items] == [running.id]
    assert [r.id for r in service.list_tickets(open=False).items] == [ended.id]
    assert service.get_ticket(ended.id).ticket.closed is not None


def test_the_notifications_feed_narrows_to_one_ticket_and_a_delivery_status(service, new, store):
    first, second, third = new(), new(), new()
    for made in (first, second, third):
        to_routing(service, made.id)  # each routing notifies the agency once
    everything = service.notifications().items
    assert [n["ticket_id"] for n in everything] == [first.id, second.id, third.id]
    mine = service.notifications(ticket_id=second.id)
    assert mine.items == [everything[1]] and mine.next_cursor == everything[1]["cursor"]
    assert service.notifications(ticket_id=second.id, after=mine.next_cursor).items == []
    assert service.notifications(ticket_id="NO-SUCH-TICKET").items == []
    # filters combine with each other and with the scope, as the feed's other filters do
    assert service.notifications(ticket_id=second.id, scope={"agency": "ELSEWHERE"}).items == []
    assert service.notifications(ticket_id=second.id, to="team_leader").items == []
    with store.write() as tx:
        tx.outbox_delivered(everything[2]["cursor"], ["webhook"], MONDAY)
    delivered = service.notifications(status="delivered").items
    assert [n["ticket_id"] for n in delivered] == [third.id]
    assert [n["ticket_id"] for n in service.notifications(status="pending").items] == [
        first.id,
        second.id,
    ]
    assert service.notifications(ticket_id=first.id, status="delivered").items == []


def test_a_ticket_stays_on_its_revision_after_the_file_changes(tmp_path, store, clock):
    for part in ("sop", "rules"):
        src = ROOT / part
        for f in src.rglob("*.yaml"):
            if "scenarios" in f.parts:
                continue
            dest = tmp_path / part / f.relative_to(src)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(f.read_bytes())
    before = TicketService(load_catalog(tmp_path / "sop"), store, clock)
    made = before.create_ticket(SOP, OTHER_CHANNEL, actor="staff", user=None)
    path: Path = tmp_path / "sop" / SOP / "r1.yaml"
    path.write_bytes(path.read_bytes() + b"\n# edited after tickets were opened\n")
    after = TicketService(load_catalog(tmp_path / "sop"), store, clock)
    assert after.catalog.get(SOP).content_hash != made.spec_hash
    got = after.get_ticket(made.id)
    assert got.spec_hash == made.spec_hash and got.spec.content_hash == made.spec_hash
    moved = after.post_event(made.id, "accept", "staff", {}, user=None)
    assert moved.log[0].spec_hash == made.spec_hash
