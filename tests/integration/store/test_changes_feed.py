"""The change feed stops before an id a running transaction may still write (PostgreSQL
commits out of id order), and passes it once it can only be a rolled-back one."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.spec.catalog import load_catalog
from engine.store.store import wall_now
from engine.store.tables import EventRow
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROOT


def test_a_page_ends_before_a_gap_until_it_has_settled(store) -> None:
    service = TicketService(load_catalog(ROOT / "sop", ROOT / "rules"), store, ManualClock(MONDAY))
    for _ in range(3):
        service.create_ticket("surabaya-complaints", OTHER_CHANNEL, actor="staff", user="u")
    with store.write() as tx:
        ids = list(tx.conn.scalars(select(EventRow.id).order_by(EventRow.id)))
        tx.conn.execute(delete(EventRow).where(EventRow.id == ids[1]))  # as if still running
    with store.read() as tx:
        assert tx.settled_upto(0, wall_now(), timedelta(seconds=30)) == ids[0]
        # The row after the gap was written long enough ago: the gap is a rollback's.
        assert (
            tx.settled_upto(0, wall_now() + timedelta(minutes=1), timedelta(seconds=30)) == ids[2]
        )
        assert tx.settled_upto(ids[2], wall_now(), timedelta(seconds=30)) == ids[2]
        found = tx.changes(after=0, upto=ids[0], limit=10)
    assert [c["cursor"] for c in found] == [ids[0]]
