"""What `sop migrate` and `sop replay` read from the store, read-only.

    open_tickets(tx, sop_id, revision) -> list[StoredTicket]        open tickets pinned to it
    count_tickets(store, sop_id, revision=None) -> int
    ticket_ids(store, sop_id, revision=None) -> list[str]             sorted
    ticket_histories(store, sop_id, revision=None, batch=500, after=None, upto=None)
                                                                     -> Iterator[History]
    SpecResolver(catalog, store).get(ticket) -> CompiledRevision     the revision a ticket is on

A `History` is a stored ticket and the events a person or another system posted to it, in log
order: its "created" entry first, then every entry that was neither fired by a rule
(`caused_by`), nor a timer event of the engine's own (deadline, timer), nor a migration. Those
are the inputs of a ticket's life; everything else is what a revision made of them. Tickets are
read in batches (keyset pages by id), each in its own short read transaction; `after` and
`upto` bound the ids read (after < id <= upto), so that several processes can split them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from engine.core.apply import TIMER_EVENTS
from engine.core.model import Ticket
from engine.store import Store, StoredTicket, Tx, codec
from engine.store.revisions import SpecResolver
from engine.store.tables import EventRow, TicketRow

__all__ = [
    "CREATED",
    "MIGRATED",
    "History",
    "Posted",
    "SpecResolver",
    "count_tickets",
    "open_tickets",
    "ticket_histories",
    "ticket_ids",
]

CREATED = "created"  # the first log entry of every ticket (its data: the fields it opened with)
MIGRATED = "migrated"  # written by engine.app.revisions.migrate
NOT_POSTED = (*TIMER_EVENTS, MIGRATED)


@dataclass(frozen=True)
class Posted:
    """One stored event as it was posted (or the ticket's creation, with its fields as data)."""

    seq: int
    event: str
    actor: str
    user: str | None
    at: datetime
    data: dict[str, Any]


@dataclass(frozen=True)
class History:
    ticket: Ticket  # the stored record, as its own revision left it
    posted: tuple[Posted, ...]


def open_tickets(tx: Tx, sop_id: str, revision: str) -> list[StoredTicket]:
    rows = tx.conn.execute(
        select(TicketRow.record, TicketRow.external_ref)
        .where(
            TicketRow.sop_id == sop_id,
            TicketRow.revision == revision,
            TicketRow.closed.is_(None),
        )
        .order_by(TicketRow.id)
    )
    return [StoredTicket(codec.decode(Ticket, r.record), r.external_ref) for r in rows]


def count_tickets(store: Store, sop_id: str, revision: str | None = None) -> int:
    stmt = select(func.count()).select_from(TicketRow).where(TicketRow.sop_id == sop_id)
    if revision is not None:
        stmt = stmt.where(TicketRow.revision == revision)
    with store.read() as tx:
        return int(tx.conn.scalar(stmt) or 0)


def ticket_ids(store: Store, sop_id: str, revision: str | None = None) -> list[str]:
    """The ids `ticket_histories` walks, in its order (how to split them)."""
    stmt = select(TicketRow.id).where(TicketRow.sop_id == sop_id)
    if revision is not None:
        stmt = stmt.where(TicketRow.revision == revision)
    with store.read() as tx:
        return list(tx.conn.scalars(stmt.order_by(TicketRow.id)))


def ticket_histories(
    store: Store,
    sop_id: str,
    revision: str | None = None,
    batch: int = 500,
    after: str | None = None,
    upto: str | None = None,
) -> Iterator[History]:
    start = after or ""
    while True:
        with store.read() as tx:
            tickets = _ticket_page(tx, sop_id, revision, (start, upto), batch)
            posted = _posted(tx, [t.id for t in tickets]) if tickets else {}
        for ticket in tickets:
            yield History(ticket, tuple(posted.get(ticket.id, ())))
        if len(tickets) < batch:
            return
        start = tickets[-1].id


def _ticket_page(
    tx: Tx, sop_id: str, revision: str | None, ids: tuple[str, str | None], batch: int
) -> list[Ticket]:
    after, upto = ids
    stmt = select(TicketRow.record).where(TicketRow.sop_id == sop_id, TicketRow.id > after)
    if upto is not None:
        stmt = stmt.where(TicketRow.id <= upto)
    if revision is not None:
        stmt = stmt.where(TicketRow.revision == revision)
    rows = tx.conn.scalars(stmt.order_by(TicketRow.id).limit(batch))
    return tx.with_history(codec.decode(Ticket, r) for r in rows)  # the stored SLA results


def _posted(tx: Tx, ticket_ids: list[str]) -> dict[str, list[Posted]]:
    rows = tx.conn.execute(
        select(
            EventRow.ticket_id,
            EventRow.seq,
            EventRow.event,
            EventRow.actor,
            EventRow.user,
            EventRow.at,
            EventRow.entry["data"],
        )
        .where(
            EventRow.ticket_id.in_(ticket_ids),
            EventRow.caused_by.is_(None),
            EventRow.event.not_in(NOT_POSTED),
        )
        .order_by(EventRow.ticket_id, EventRow.seq)
    )
    out: dict[str, list[Posted]] = {}
    for r in rows:
        data = codec.decode(_Data, {"data": r[6]}).data if r[6] else {}
        out.setdefault(r.ticket_id, []).append(Posted(r.seq, r.event, r.actor, r.user, r.at, data))
    return out


@dataclass(frozen=True)
class _Data:
    """Decodes a log entry's free-form data with the codec (its tagged dates, tuples)."""

    data: dict[str, Any]
