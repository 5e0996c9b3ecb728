"""Read models are kept by handlers registered for the log (engine.app.handlers): each runs in
the transaction of the event it derives from, for every kind of write (creation, a posted
event, a sweep), so a handler that fails leaves nothing of the event behind; and the store
needs none of them: without the step_runs handler, events commit as before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from engine.app import handlers
from engine.app.reports.step_runs import record_step_runs
from engine.store.tables import StepRunRow
from tests.support.handlers import registered, unregistered
from tests.support.seed import OTHER_CHANNEL

SOP = "surabaya-complaints"


def count(store, table) -> int:
    with store.read() as tx:
        return tx.conn.scalar(select(func.count()).select_from(table))


def counts(store) -> dict[str, int]:
    with store.read() as tx:
        return {
            name: tx.conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
            for name in ("tickets", "events", "deadlines", "outbox", "ticket_scopes", "step_runs")
        }


def create(service) -> str:
    return service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="u").id


class Recorder:
    """A handler that notes what it was given, and what its transaction already holds."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[str, ...], int, int | None, bool]] = []

    def __call__(self, tx, spec, ticket, log, scopes) -> None:
        seen = tx.ticket_version(ticket.id)  # the event's own write, not yet committed
        self.calls.append(
            (tuple(e.event for e in log), ticket.version, seen, tx.conn.in_transaction())
        )


def test_a_handler_runs_after_every_write_inside_its_transaction(service, clock):
    recorder = Recorder()
    with registered(recorder):
        ticket_id = create(service)
        clock.advance(timedelta(days=3))
        assert service.sweep() == 1
        service.post_event(ticket_id, "accept", "staff", {}, user="u")
    assert recorder.calls == [
        (("created",), 1, 1, True),
        (("deadline",), 2, 2, True),
        (("accept",), 3, 3, True),
    ]


def test_a_handler_that_fails_leaves_nothing_of_the_event(service, store, clock):
    ticket_id = create(service)
    before, timeline = counts(store), service.timeline(ticket_id)

    def fail(*_args: object) -> None:
        raise RuntimeError("read model broken")

    with registered(fail):
        with pytest.raises(RuntimeError, match="read model broken"):
            service.post_event(ticket_id, "accept", "staff", {}, user="u")
        with pytest.raises(RuntimeError, match="read model broken"):
            create(service)
        clock.advance(timedelta(days=3))
        assert service.sweep() == 0  # the sweep logs the ticket it could not move, and goes on
    assert counts(store) == before
    assert service.timeline(ticket_id) == timeline
    assert service.get_ticket(ticket_id).version == 1


def test_without_the_step_runs_handler_events_still_commit(service, store):
    with unregistered(record_step_runs):
        ticket_id = create(service)
        record = service.post_event(ticket_id, "accept", "staff", {}, user="u").record
    assert record.version == 2
    assert [e["event"] for e in service.timeline(ticket_id)] == ["created", "accept"]
    assert count(store, StepRunRow) == 0
    create(service)  # registered again: the next ticket's runs are recorded
    assert count(store, StepRunRow) == 1


def test_a_handler_registered_twice_runs_once(service):
    recorder = Recorder()
    with registered(recorder):
        handlers.register(recorder)  # again: still one registration
        create(service)
    create(service)  # leaving the block unregistered it once: it no longer runs
    assert len(recorder.calls) == 1
