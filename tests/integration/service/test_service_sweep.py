"""The sweeper applies what is due, only that, once; reminders and escalations follow."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from engine.app import service as service_module
from engine.app.audit.verify import verify_store
from engine.app.service import TicketService
from engine.app.sweeper import Sweeper
from engine.core import caught_up
from engine.core.calendar import WorkCalendar
from engine.errors import RulesError
from engine.spec.durations import parse_duration
from tests.support.seed import MONDAY

from .conftest import SOP
from .test_service_tickets import to_routing


def events_of(service: TicketService, ticket_id: str) -> list[str]:
    return [e["event"] for e in service.timeline(ticket_id)]


def test_only_due_deadlines_are_applied(service, new, clock):
    early = new()  # Monday 09:00: one working day, due Tuesday 09:00
    clock.advance(timedelta(hours=12))
    late = new()  # Monday 21:00: due Tuesday 21:00
    clock.set(MONDAY + timedelta(days=1, hours=3))
    assert service.sweep() == 1
    assert events_of(service, early.id) == ["created", "deadline"]
    assert events_of(service, late.id) == ["created"]
    assert service.get_ticket(early.id).ticket.active.breached_at is not None
    assert service.sweep() == 0  # applied once only
    clock.advance(timedelta(hours=12))
    assert service.sweep() == 1
    assert events_of(service, late.id) == ["created", "deadline"]


def test_a_late_agency_is_reminded_then_escalated(service, new, clock):
    made = new()
    to_routing(service, made.id)
    after_routing = service.notifications().next_cursor
    clock.advance(timedelta(hours=25))  # the 24-hour first response is late
    assert service.sweep() >= 1
    reminders = service.notifications(after=after_routing).items
    assert [(n["to"], n["scope"]) for n in reminders] == [("agency", "DSDABM")]
    timers = [d for d in service.get_ticket(made.id).deadlines if d.kind == "timer"]
    assert [t.name for t in timers] == ["first_response_reminder"]
    clock.advance(timedelta(days=7))  # every working day a reminder; escalation after two
    service.sweep()
    later = service.notifications(after=reminders[-1]["cursor"]).items
    assert "team_leader" in {n["to"] for n in later}
    assert events_of(service, made.id).count("timer") >= 2


def test_a_ticket_the_core_cannot_sweep_is_set_aside_without_stopping_others(
    service, new, clock, monkeypatch
):
    bad, good = new(), new()
    clock.advance(timedelta(days=2))
    real_apply = caught_up.apply  # what the sweeper's catch-up applies each due event with

    def refuse_one(rev, ticket, event, now, **options):
        if ticket.id == bad.id:
            raise RulesError("a rule action failed")
        return real_apply(rev, ticket, event, now, **options)

    monkeypatch.setattr(caught_up, "apply", refuse_one)
    assert service.sweep() == 1
    assert events_of(service, good.id) == ["created", "deadline"]
    assert events_of(service, bad.id) == ["created"]
    with service.store.read() as tx:
        assert tx.due_ticket_ids(clock.now(), 10) == []  # not picked again and again
    monkeypatch.setattr(caught_up, "apply", real_apply)
    service.post_event(bad.id, "accept", "staff", {}, user=None)  # new deadlines replace them
    clock.advance(timedelta(days=2))
    assert service.sweep() == 1


def test_a_write_failing_halfway_undoes_only_that_tickets_sweep(service, new, clock, monkeypatch):
    """Tickets are swept several to a transaction: a database error after one ticket's rows
    were written undoes that ticket's work alone (its savepoint); the others commit, and the
    failed one is still due, tried again by the next sweep."""
    first, bad, last = new(), new(), new()
    clock.advance(timedelta(days=2))
    real_run = service_module.handlers.run

    def fail_one(tx, spec, saved, log, scopes):  # after the ticket, its log and deadlines
        if saved.id == bad.id:
            raise IntegrityError("INSERT INTO step_runs", {}, Exception("constraint failed"))
        return real_run(tx, spec, saved, log, scopes)

    monkeypatch.setattr(service_module.handlers, "run", fail_one)
    assert service.sweep() == 2
    assert events_of(service, first.id) == events_of(service, last.id) == ["created", "deadline"]
    assert events_of(service, bad.id) == ["created"]
    assert service.get_ticket(bad.id).ticket.version == bad.ticket.version
    with service.store.read() as tx:
        assert tx.due_ticket_ids(clock.now(), 10) == [bad.id]  # still due, not set aside
    monkeypatch.setattr(service_module.handlers, "run", real_run)
    assert service.sweep() == 1
    assert events_of(service, bad.id) == ["created", "deadline"]
    assert verify_store(service.store).ok


def test_the_background_sweeper_applies_deadlines_by_itself(service, new, clock):
    made = new()
    sweeper = Sweeper(service, interval=0.05)
    sweeper.start()
    try:
        assert sweeper.running
        clock.advance(timedelta(days=2))
        sweeper.wake()
        deadline = time.monotonic() + 10
        while "deadline" not in events_of(service, made.id) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sweeper.stop()
    assert not sweeper.running
    assert events_of(service, made.id) == ["created", "deadline"]
    assert Sweeper(service).run_once() == 0


def test_the_sweep_query_reads_the_due_index(service, store):
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL plans tiny tables as sequential scans; the bench measures it")
    with store.read() as tx:
        plan = tx.conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT ticket_id, due FROM deadlines "
            "WHERE due <= '2030-01-01' AND checked IS NULL ORDER BY due LIMIT 10"
        ).all()
    assert any("ix_deadlines_due" in str(row) for row in plan), plan


def test_a_clock_move_waits_for_the_sweep_under_way_and_none_applies_the_old_time(
    service, new, clock, monkeypatch
):
    made = new()
    due = service.get_ticket(made.id).ticket.active.due
    clock.set(due + timedelta(hours=1))  # the step's limit has passed
    started, go = threading.Event(), threading.Event()
    real_sweep = service.sweep

    def paused(now=None, limit=500):  # the pass has read its time; it waits here to write
        started.set()
        assert go.wait(10)
        return real_sweep(now, limit)

    monkeypatch.setattr(service, "sweep", paused)
    swept: list[int] = []
    sweeping = threading.Thread(target=lambda: swept.append(Sweeper(service).run_once()))
    sweeping.start()
    assert started.wait(10)
    seen: list[list[str]] = []  # the ticket's log the moment the move returned

    def move_back() -> None:
        clock.set(due - timedelta(hours=1))  # before the limit: nothing is due any more
        seen.append(events_of(service, made.id))

    moving = threading.Thread(target=move_back)
    moving.start()
    # However long this waits, the move cannot return while the pass holds the time it read;
    # the wait lets a move that does not wait return (and be seen to) before the pass writes.
    moving.join(timeout=0.5)
    go.set()
    sweeping.join(10)
    moving.join(10)
    assert swept == [1]  # the pass applied the time it read, while the clock still showed it
    assert seen == [["created", "deadline"]]  # ... before the move returned, never after
    assert clock.now() == due - timedelta(hours=1)
    monkeypatch.undo()
    assert Sweeper(service).run_once() == 0  # later passes read the moved clock


def test_a_stopping_sweep_ends_after_a_whole_batch_and_the_restart_carries_on(
    service, new, clock, catalog, store, monkeypatch
):
    """SIGTERM during a long catch-up (a daily reminder over 400 days): the pass stops after
    the transaction under way, each ticket's log ends on a committed batch, and a new process
    on the same store finishes the catch-up to the log an uninterrupted one writes."""
    monkeypatch.setattr(service_module, "MAX_DUE_PER_TICKET", 100)  # several batches a ticket
    made = [new().id for _ in range(2)]
    for ticket_id in made:
        to_routing(service, ticket_id)  # step 8: reminded once a working day when late
    before = {t: len(service.timeline(t)) for t in made}
    clock.advance(timedelta(days=400))
    batches: list[int] = []
    real = service._sweep_ticket

    def then_stop(tx, ticket_id, now):  # SIGTERM arrives during the 2nd batch
        if len(batches) == 1:
            service.stopping.set()
        batches.append(real(tx, ticket_id, now))
        return batches[-1]

    monkeypatch.setattr(service, "_sweep_ticket", then_stop)
    assert Sweeper(service).run_once() == sum(batches) == 200 and len(batches) == 2
    assert sorted(len(service.timeline(t)) - before[t] for t in made) == [100, 100]
    assert service.stop(grace=1.0) is True  # nothing under way any more

    restarted = TicketService(catalog, store, clock)  # the next start, at the same time
    assert Sweeper(restarted).run_once() > 0
    logs = [[(e["event"], e["at"]) for e in restarted.timeline(t)] for t in made]
    assert logs[0] == logs[1]  # interrupted in different places, the same log in the end
    timers = [at for event, at in logs[0] if event == "timer"]
    cal = WorkCalendar.for_spec(catalog.get(SOP).calendar())
    one_day = parse_duration("1 working day")
    assert len(timers) > 200  # every working day of the 400, each reminder once
    for earlier, later in zip(timers, timers[1:], strict=False):
        assert cal.add(earlier, one_day) == later
    assert verify_store(store).ok
    assert Sweeper(restarted).run_once() == 0
