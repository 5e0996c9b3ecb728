"""A sweep and an event's write on one ticket at once, on PostgreSQL: both take the ticket's row
lock first (the sweep skips a ticket held by another), so neither is rolled back as a deadlock
(SQLSTATE 40P01)."""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import delete

from engine.app.service import TicketService
from engine.store.tables import DeadlineRow
from tests.integration.conftest import Database


def test_sweep_skips_a_ticket_an_event_holds_instead_of_deadlocking(
    database: Database, service: TicketService, new, clock, caplog: pytest.LogCaptureFixture
) -> None:
    if database.backend != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time: there is no lock order")
    ticket_id = new().id
    clock.advance(timedelta(days=2))  # its first step's limit is now due
    swept: list[int] = []
    sweeper = threading.Thread(target=lambda: swept.append(service.sweep()))
    with caplog.at_level(logging.ERROR), service.store.write() as tx:
        # An event's write: the ticket's row first (its version-checked update)...
        assert tx.ticket(ticket_id, for_update=True) is not None
        sweeper.start()
        time.sleep(0.5)  # the sweep reaches the ticket meanwhile
        # ... then its deadline rows, replaced by the event's own.
        tx.conn.execute(delete(DeadlineRow).where(DeadlineRow.ticket_id == ticket_id))
    sweeper.join(10)
    assert swept == [0]  # skipped while the event held it; the event replaced the deadline
    assert [r.getMessage() for r in caplog.records] == []
    assert [e["event"] for e in service.timeline(ticket_id)] == ["created"]
