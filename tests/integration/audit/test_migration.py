"""Migration 0002 chains the entries a store already held, so they verify from then on."""

from __future__ import annotations

from sqlalchemy import insert, inspect, select

from engine.app.audit import verify_store
from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.store import Store
from engine.store.database import make_engine, sqlite_url
from engine.store.tables import EventRow, TicketRow
from tests.support.seed import MONDAY

from .conftest import TO_ROUTING, drive


def test_entries_stored_before_the_chain_are_chained_by_the_migration(database, catalog, tmp_path):
    source = Store.open(sqlite_url(tmp_path / "source.db"))
    clock = ManualClock(MONDAY)
    service = TicketService(catalog, source, clock)
    ids = [drive(service, clock, TO_ROUTING), drive(service, clock, [])]
    with source.read() as tx:
        tickets = [dict(r._mapping) for r in tx.conn.execute(select(TicketRow.__table__))]
        events = [dict(r._mapping) for r in tx.conn.execute(select(EventRow.__table__))]
    source.close()

    database.migrate_to("0001")
    old = make_engine(database.url, schema=database.schema)
    old_columns = {c["name"] for c in inspect(old).get_columns("events")}
    assert "entry_hash" not in old_columns
    with old.begin() as conn:
        conn.execute(insert(TicketRow.__table__), tickets)
        conn.execute(
            insert(EventRow.__table__),
            [{k: v for k, v in e.items() if k in old_columns} for e in events],
        )
    old.dispose()

    upgraded = database.open()  # migrates to the newest revision
    try:
        # The copy holds the tickets and their logs only (no revision texts, scopes or
        # deadlines to replay them against): what the migration chained is the chain.
        report = verify_store(upgraded, chain_only=True)
        with upgraded.read() as tx:
            chained = {
                (r.ticket_id, r.seq): (r.prev_hash, r.entry_hash)
                for r in tx.conn.execute(select(EventRow.__table__))
            }
    finally:
        upgraded.close()
    assert report.ok and report.tickets == 2 and report.entries == len(events) == 8
    # The same hashes the store writes itself.
    assert chained == {
        (e["ticket_id"], e["seq"]): (e["prev_hash"], e["entry_hash"]) for e in events
    }
    assert {t for t, _ in chained} == set(ids)
