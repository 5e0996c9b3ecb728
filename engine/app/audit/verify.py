"""`sop audit verify`: walk every ticket's hash-chained log in the store and report tampering.

    verify_store(store, *, page=500) -> Report
    Report.ok / .tickets / .entries / .problems / .as_data()

Tickets are read a page at a time (by id), with their entries, in one snapshot (REPEATABLE
READ on PostgreSQL; a read transaction on SQLite), so memory holds one page however large the
store is. Entries whose ticket row is gone are found by one anti-join and streamed. What each
problem means: `engine.app.audit.chain_check`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, exists, not_, select

from engine.app.audit.chain_check import COLUMNS, Head, Link, Problem, check_ticket
from engine.store import Store
from engine.store.tables import EventRow, TicketRow

__all__ = ["Report", "verify_store"]

_EVENT_COLUMNS = [getattr(EventRow, name) for name in COLUMNS]


@dataclass
class Report:
    tickets: int = 0
    entries: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def tickets_with_problems(self) -> list[str]:
        return sorted({p.ticket_id for p in self.problems})

    def as_data(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tickets": self.tickets,
            "entries": self.entries,
            "tickets_with_problems": self.tickets_with_problems,
            "problems": [p.as_data() for p in self.problems],
        }


def verify_store(store: Store, *, page: int = 500) -> Report:
    report = Report()
    conn_options: dict[str, Any] = {}
    if store.dialect == "postgresql":
        conn_options["isolation_level"] = "REPEATABLE READ"
    with store.engine.connect().execution_options(**conn_options) as conn, conn.begin():
        for ticket_id, links, head in _tickets(conn, page):
            report.tickets += 1
            report.entries += len(links)
            report.problems += check_ticket(ticket_id, links, head)
        for ticket_id, links in _orphans(conn, page):
            report.entries += len(links)
            report.problems += check_ticket(ticket_id, links, None)
    return report


def _tickets(conn: Connection, page: int) -> Iterator[tuple[str, list[Link], Head]]:
    after: str | None = None
    while True:
        stmt = select(TicketRow.id, TicketRow.version, TicketRow.state, TicketRow.record)
        if after is not None:
            stmt = stmt.where(TicketRow.id > after)
        heads = conn.execute(stmt.order_by(TicketRow.id).limit(page)).all()
        if not heads:
            return
        ids = [h.id for h in heads]
        links = dict(_grouped(conn.execute(_events().where(EventRow.ticket_id.in_(ids)))))
        for h in heads:
            record = h.record if isinstance(h.record, dict) else {}
            head = Head(h.version, h.state, record.get("version"), record.get("state"))
            yield h.id, links.get(h.id, []), head
        after = ids[-1]


def _orphans(conn: Connection, page: int) -> Iterator[tuple[str, list[Link]]]:
    """Entries whose ticket row is gone (possible where foreign keys were switched off)."""
    gone = not_(exists().where(TicketRow.id == EventRow.ticket_id))
    rows = conn.execution_options(yield_per=page).execute(_events().where(gone))
    yield from _grouped(rows)


def _events() -> Any:
    return select(
        EventRow.seq, EventRow.prev_hash, EventRow.entry_hash, EventRow.entry, *_EVENT_COLUMNS
    ).order_by(EventRow.ticket_id, EventRow.seq)


def _grouped(rows: Iterable[Any]) -> Iterator[tuple[str, list[Link]]]:
    for ticket_id, group in groupby(rows, key=lambda r: r.ticket_id):
        yield ticket_id, [_link(r) for r in group]


def _link(row: Any) -> Link:
    columns = {name: getattr(row, name) for name in COLUMNS}
    entry = row.entry if isinstance(row.entry, dict) else None
    return Link(row.seq, row.prev_hash, row.entry_hash, entry, columns)
