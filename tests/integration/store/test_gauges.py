"""The store's gauges for /metrics (engine.store.gauges) on both backends: open tickets per SOP
and step, deadlines due and the oldest one's time (timezone-aware), the outbox backlog."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from engine.app.gauges import read_gauges, sweep_lag
from engine.store import Store
from engine.store.tables import OutboxRow


def save(store: Store, outcome) -> None:
    with store.write() as tx:
        tx.save(outcome, expected_version=None, scopes={}, scope_fields={})


def test_gauges_count_what_the_store_holds(store, build):
    t0 = build.T0
    for n, (sop, state) in enumerate(
        [("demo", "first"), ("demo", "first"), ("demo", "second"), ("other", "first")]
    ):
        ticket = build.ticket(f"T{n}", sop_id=sop, state=state)
        save(store, build.outcome(ticket, notes=(build.note(ticket, f"n{n}"),)))
    closed = build.ticket("T9", state="end", closed=t0, active=None)
    save(store, build.outcome(closed))
    with store.write() as tx:
        for note_id, values in {
            "n0": {"attempts": 2},  # pending, retried
            "n1": {"status": "dead"},
            "n2": {"status": "delivered"},
        }.items():
            row = OutboxRow.notification_id == note_id
            tx.conn.execute(update(OutboxRow).where(row).values(**values))

    before = read_gauges(store, t0)
    assert before.open_tickets == (
        ("demo", "first", 2),
        ("demo", "second", 1),
        ("other", "first", 1),
    )
    assert (before.deadlines_due, before.oldest_due, sweep_lag(before, t0)) == (0, None, 0.0)
    assert (before.outbox_pending, before.outbox_retrying, before.outbox_dead) == (2, 1, 1)

    later = t0 + timedelta(days=1, hours=3)  # each first step was due after one day
    due = read_gauges(store, later)
    assert due.deadlines_due == 4
    assert due.oldest_due == t0 + timedelta(days=1)
    assert due.oldest_due.tzinfo is not None
    assert sweep_lag(due, later) == 3 * 3600
