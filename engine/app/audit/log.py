"""The event log as process mining sees it: one trace (case) per ticket, read a page at a time.

    traces(store, *, sop_id=None, page=500) -> Iterator[Trace]
    activity(entry) -> str | None        "<step no>. <step id>" of the step the entry finished
    event_name(entry, all_events) -> str | None     what an export calls the entry, or None to
                                                    leave it out

Activity = SOP step: an entry that finished a step is that step's activity, completed at the
entry's time by the entry's actor (the resource). Entries that finish no step (the ticket's
creation, a deadline passing, a reminder timer, an event that keeps the ticket at its step, a
pause or resume) are left out by default, so that a discovered model has exactly the SOP's
steps as activities; with `all_events` they are kept under their event name ("created",
"deadline", ...). The revision that decided each entry goes with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select

from engine.core.model import LogEntry
from engine.store import Store, codec
from engine.store.tables import EventRow, TicketRow

__all__ = ["Trace", "activity", "event_name", "traces"]


@dataclass(frozen=True)
class Trace:
    ticket_id: str
    sop_id: str
    entries: tuple[LogEntry, ...]


def activity(entry: LogEntry) -> str | None:
    if entry.finished_step is None:
        return None
    return f"{entry.finished_step}. {entry.from_state}"


def event_name(entry: LogEntry, all_events: bool) -> str | None:
    found = activity(entry)
    if found is None and all_events:
        return entry.event
    return found


def traces(store: Store, *, sop_id: str | None = None, page: int = 500) -> Iterator[Trace]:
    """Every ticket (of `sop_id`, if given) in id order, with its log in order."""
    with store.read() as tx:
        conn, after = tx.conn, None
        while True:
            stmt = select(TicketRow.id, TicketRow.sop_id).order_by(TicketRow.id).limit(page)
            if sop_id is not None:
                stmt = stmt.where(TicketRow.sop_id == sop_id)
            if after is not None:
                stmt = stmt.where(TicketRow.id > after)
            tickets = conn.execute(stmt).all()
            if not tickets:
                return
            rows = conn.execute(
                select(EventRow.ticket_id, EventRow.entry)
                .where(EventRow.ticket_id.in_([t.id for t in tickets]))
                .order_by(EventRow.ticket_id, EventRow.seq)
            )
            logs = {
                ticket_id: tuple(codec.decode(LogEntry, r.entry) for r in group)
                for ticket_id, group in groupby(rows, key=lambda r: r.ticket_id)
            }
            for t in tickets:
                yield Trace(t.id, t.sop_id, logs.get(t.id, ()))
            after = tickets[-1].id
