"""A new ticket is governed by the revision in force on the day it was received (in the SOP's
time zone) and stays pinned to it for life; a revision with a future effective date loads and
takes over on its date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.core.calendar import WorkCalendar
from tests.integration.revisions.conftest import SOP
from tests.support.seed import WIB

EVE = datetime(2025, 12, 31, 23, 30, tzinfo=WIB)  # r2 (tests/revisions) is effective 2026-01-01
NEW_YEAR = datetime(2026, 1, 1, 0, 30, tzinfo=WIB)


def test_a_future_revision_loads_but_governs_nothing_before_its_date(tree, make_service, desk_for):
    tree.add_r2()
    service = make_service(tree)
    assert [s.revision for s in service.catalog.revisions(SOP)] == ["r1", "r2"]
    record = desk_for(service).new(at=datetime(2025, 6, 2, 9, 0, tzinfo=WIB))
    assert record.ticket.revision == "r1"


def test_the_day_before_stays_on_the_old_revision_and_the_day_itself_gets_the_new(
    tree, make_service, desk_for
):
    tree.add_r2()
    service = make_service(tree)
    desk = desk_for(service)
    r1, r2 = service.catalog.get(SOP, "r1"), service.catalog.get(SOP, "r2")
    eve = desk.new(at=EVE).ticket
    day = desk.new(at=NEW_YEAR).ticket
    assert (eve.revision, eve.spec_hash) == ("r1", r1.content_hash)
    assert (day.revision, day.spec_hash) == ("r2", r2.content_hash)


def test_the_date_is_read_in_the_sops_time_zone_not_in_utc(tree, make_service, desk_for):
    tree.add_r2()
    service = make_service(tree)
    # 00:30 on 1 January in Surabaya is still 31 December in UTC.
    at = NEW_YEAR.astimezone(UTC)
    assert at.date().isoformat() == "2025-12-31"
    assert desk_for(service).new(at=at).ticket.revision == "r2"


def test_the_receipt_time_decides_not_the_time_it_was_recorded(tree, make_service, clock):
    tree.add_r2()
    service = make_service(tree)
    clock.set(NEW_YEAR + timedelta(days=2))
    received_before = service.create_ticket(
        SOP, {"channel": "email"}, actor="staff", user="op", occurred_at=EVE
    )
    assert received_before.ticket.revision == "r1"


def test_a_ticket_stays_pinned_after_the_new_revision_takes_over(tree, make_service, desk_for):
    tree.add_r2()
    service = make_service(tree)
    desk = desk_for(service)
    ticket_id = desk.new(at=EVE).id
    desk.wait(timedelta(days=12))  # well into r2's time
    record = desk.to_follow_up(ticket_id)
    r1 = service.catalog.get(SOP, "r1")
    assert record.spec_key == f"{SOP}@r1"
    assert record.ticket.spec_hash == r1.content_hash
    # step 9 runs on r1's 3 working days, not r2's 2
    run = record.ticket.active
    assert run is not None and run.step == "follow_up"
    assert run.due == r1_due(r1, run.started)
    entries = service.timeline(ticket_id)
    assert len(entries) > 5
    assert {(e["revision"], e["spec_hash"]) for e in entries} == {("r1", r1.content_hash)}
    assert desk.new().ticket.revision == "r2"


def r1_due(spec, started):
    step = spec.step("follow_up")
    return WorkCalendar.for_spec(spec.calendar(step.calendar)).add(started, step.time_limit)
