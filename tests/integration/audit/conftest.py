"""Seed tickets driven through the service on each backend, and ways to tamper with the log
directly in the database (as someone with SQL access would), bypassing the service."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update

from engine.app.audit.chain_check import COLUMNS
from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.core.model import LogEntry
from engine.spec.catalog import Catalog, load_catalog
from engine.store import Store, codec
from engine.store.chain import GENESIS, entry_hash
from engine.store.tables import EventRow, TicketRow
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROOT, ROUTING

SOP = "surabaya-complaints"
TO_ROUTING = [
    ("accept", "staff", {}),
    ("triage", "staff", {}),
    ("entered", "staff", ROUTING),
    ("responded", "staff", {"response_text": "Terima kasih, kami proses"}),
    ("within_authority", "staff", {}),
    ("routed", "staff", {}),
]
TO_VALIDATED = [
    *TO_ROUTING,
    ("agency_responded", "agency", {}),
    (
        "follow_up_submitted",
        "agency",
        {"follow_up_text": "Sudah ditambal", "follow_up_photo": "https://example.org/f.jpg"},
    ),
    ("substance_ok", "staff", {}),
    ("validated", "staff", {}),
]


@dataclass(frozen=True)
class Seeded:
    """Three tickets: far along (validated), routed and late (deadline and a reminder swept),
    and just created."""

    done: str
    late: str
    fresh: str

    @property
    def ids(self) -> list[str]:
        return [self.done, self.late, self.fresh]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(ROOT / "sop", ROOT / "rules")


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def service(catalog: Catalog, store: Store, clock: ManualClock) -> Iterator[TicketService]:
    yield TicketService(catalog, store, clock)


def drive(service: TicketService, clock: ManualClock, steps: list[tuple[str, str, dict]]) -> str:
    made = service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="operator-1")
    for type_, actor, data in steps:
        clock.advance(timedelta(minutes=30))
        service.post_event(made.id, type_, actor, data, user=f"{actor}-1")
    return made.id


@pytest.fixture
def seeded(service: TicketService, clock: ManualClock) -> Seeded:
    done = drive(service, clock, TO_VALIDATED)
    late = drive(service, clock, TO_ROUTING)
    fresh = drive(service, clock, [])
    clock.advance(timedelta(days=3))  # the agency's first response is late: deadline, reminder
    assert service.sweep() >= 2
    return Seeded(done, late, fresh)


# -- tampering, straight in the database --------------------------------------------------------


def rows(store: Store, ticket_id: str) -> list[Any]:
    with store.read() as tx:
        return tx.conn.execute(
            select(EventRow.__table__).where(EventRow.ticket_id == ticket_id).order_by(EventRow.seq)
        ).all()


def _where(ticket_id: str, seq: int) -> Any:
    return (EventRow.ticket_id == ticket_id) & (EventRow.seq == seq)


def set_columns(store: Store, ticket_id: str, seq: int, **values: Any) -> None:
    with store.write() as tx:
        tx.conn.execute(update(EventRow).where(_where(ticket_id, seq)).values(**values))


def edit_entry(store: Store, ticket_id: str, seq: int, **changes: Any) -> None:
    """Change keys of the stored entry JSON (only the JSON: its columns stay as they were)."""
    (row,) = [r for r in rows(store, ticket_id) if r.seq == seq]
    set_columns(store, ticket_id, seq, entry={**row.entry, **changes})


def delete_entry(store: Store, ticket_id: str, seq: int) -> None:
    with store.write() as tx:
        tx.conn.execute(delete(EventRow).where(_where(ticket_id, seq)))


def renumber_after(store: Store, ticket_id: str, seq: int) -> None:
    """Close the gap a removed entry left: every later entry moves up one position."""
    with store.write() as tx:
        later = tx.conn.scalars(
            select(EventRow.seq)
            .where(EventRow.ticket_id == ticket_id, EventRow.seq > seq)
            .order_by(EventRow.seq)
        ).all()
        for s in later:
            tx.conn.execute(update(EventRow).where(_where(ticket_id, s)).values(seq=s - 1))


SWAPPED = ("entry", "version", "at", "event", "actor", "user", "from_state", "to_state")
SWAPPED += ("from_status", "to_status", "caused_by", "recorded")


def swap_entries(store: Store, ticket_id: str, a: int, b: int, *, hashes: bool) -> None:
    """Swap two rows' contents (with their hash columns too when `hashes`), keeping seq/id."""
    names = SWAPPED + (("prev_hash", "entry_hash") if hashes else ())
    by_seq = {r.seq: r for r in rows(store, ticket_id)}
    first, second = by_seq[a], by_seq[b]
    with store.write() as tx:
        for seq, source in ((a, second), (b, first)):
            values = {n: getattr(source, n) for n in names}
            tx.conn.execute(update(EventRow).where(_where(ticket_id, seq)).values(**values))


# -- forging, as someone who can write the database and knows the (public) hash algorithm --------


def _chained(entry: LogEntry, seq: int, prev: str, recorded: Any) -> dict[str, Any]:
    values = {name: getattr(entry, name) for name in COLUMNS}
    values.update(seq=seq, recorded=recorded, entry=codec.encode(entry), prev_hash=prev)
    values["entry_hash"] = entry_hash(entry, prev)
    return values


def rewrite_chain(store: Store, ticket_id: str, seq: int, **changes: Any) -> None:
    """Change entry `seq` and hash it and every entry after it afresh: a consistent chain."""
    stored = rows(store, ticket_id)
    prev = stored[seq - 2].entry_hash if seq > 1 else GENESIS
    with store.write() as tx:
        for row in stored[seq - 1 :]:
            entry = codec.decode(LogEntry, row.entry)
            if row.seq == seq:
                entry = replace(entry, **changes)
            values = _chained(entry, row.seq, prev, row.recorded)
            tx.conn.execute(update(EventRow).where(_where(ticket_id, row.seq)).values(values))
            prev = values["entry_hash"]


def append_forged(store: Store, ticket_id: str, **changes: Any) -> int:
    """Append an entry made from the ticket's last one with `changes`, chained to it, and move
    the ticket's record to its version and state: a log that hashes right. Returns its seq."""
    last = rows(store, ticket_id)[-1]
    seq = last.seq + 1
    entry = replace(codec.decode(LogEntry, last.entry), version=seq, **changes)
    with store.write() as tx:
        tx.conn.execute(
            insert(EventRow).values(_chained(entry, seq, last.entry_hash, last.recorded))
        )
        record = tx.conn.scalar(select(TicketRow.record).where(TicketRow.id == ticket_id))
        tx.conn.execute(
            update(TicketRow)
            .where(TicketRow.id == ticket_id)
            .values(
                version=seq,
                state=entry.to_state,
                record={**record, "version": seq, "state": entry.to_state},
            )
        )
    return seq
