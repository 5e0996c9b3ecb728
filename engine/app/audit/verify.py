"""`sop audit verify`: check the whole store against its hash-chained log.

    verify_store(store, *, page=500, chain_only=False, checkpoint=None, files=None) -> Report
    Report.ok / .tickets / .entries / .replayed / .problems / .as_data()

In one snapshot (`engine.app.audit.snapshot`), a page of tickets at a time (by id), so memory
holds one page however large the store is:

1. every stored revision text must rebuild the revision of its hash (`rebuild`);
2. each ticket's log must hold its hash chain (`chain_check`), and, given a `checkpoint`, still
   pass through the head the checkpoint recorded (`checkpoint`);
3. each ticket whose chain holds is replayed, and its rows (record, scopes, deadlines,
   step_runs, outbox) must be what the replay writes (`rebuild`, `rows_check`);
4. the periodic runs and their notifications must match their periods (`periodic_check`);
5. no row may belong to a ticket that is gone (entries, scopes, deadlines, step_runs, outbox);
6. given the data folder's `files`, each file a log entry names must be there, its bytes
   hashing to the SHA-256 the entry recorded (`files_check`).

`chain_only` does step 2 alone (about ten times faster; see docs/audit.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

from sqlalchemy import Connection, exists, not_, select

from engine.app.audit.chain_check import COLUMNS, Head, Link, Problem, check_ticket
from engine.app.audit.checkpoint import Checkpoint
from engine.app.audit.files_check import FileCheck
from engine.app.audit.periodic_check import check_periodic
from engine.app.audit.rebuild import Rebuilder
from engine.app.audit.snapshot import snapshot
from engine.store import Store
from engine.store.files import FileStore
from engine.store.tables import (
    DeadlineRow,
    EventRow,
    OutboxRow,
    StepRunRow,
    TicketRow,
    TicketRunRow,
    TicketScopeRow,
)

__all__ = ["Report", "verify_store"]

_EVENT_COLUMNS = [getattr(EventRow, name) for name in COLUMNS]
# Rows that belong to a ticket (by `ticket_id`), besides its log entries.
_OWNED = (
    (TicketScopeRow, TicketScopeRow.name),
    (DeadlineRow, DeadlineRow.name),
    (StepRunRow, StepRunRow.visit),
    (TicketRunRow, TicketRunRow.visit),
    (OutboxRow, OutboxRow.notification_id),
)


@dataclass
class Report:
    tickets: int = 0
    entries: int = 0
    replayed: int = 0  # tickets whose rows were replayed and compared (0 with chain_only)
    revisions: int = 0  # stored revision texts checked against their hash
    periodic_runs: int = 0
    checkpoint: dict[str, Any] | None = None  # what the checkpoint held, when one was given
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def tickets_with_problems(self) -> list[str]:
        return sorted({p.ticket_id for p in self.problems if p.ticket_id})

    def as_data(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "tickets": self.tickets,
            "entries": self.entries,
            "replayed": self.replayed,
            "revisions": self.revisions,
            "periodic_runs": self.periodic_runs,
            "checkpoint": self.checkpoint,
            "tickets_with_problems": self.tickets_with_problems,
            "problems": [p.as_data() for p in self.problems],
        }


def verify_store(
    store: Store,
    *,
    page: int = 500,
    chain_only: bool = False,
    checkpoint: Checkpoint | None = None,
    files: FileStore | None = None,
) -> Report:
    report = Report()
    file_check = FileCheck(files) if files is not None else None
    with snapshot(store) as conn:
        rebuild = None if chain_only else Rebuilder(store, conn)
        try:
            if rebuild is not None:
                report.problems += rebuild.check_revisions()
            for heads in _pages(conn, page):
                intact = []
                for ticket_id, links, head in heads:
                    report.tickets += 1
                    report.entries += len(links)
                    found = check_ticket(ticket_id, links, head)
                    if checkpoint is not None:
                        found += checkpoint.check_ticket(ticket_id, links)
                    report.problems += found
                    if file_check is not None:  # a lost file: the log still replays
                        report.problems += file_check.check(ticket_id, links)
                    if not found:
                        intact.append((ticket_id, links))
                if rebuild is not None:
                    report.problems += rebuild.check(intact)
            for ticket_id, links in _orphans(conn, page):
                report.entries += len(links)
                report.problems += check_ticket(ticket_id, links, None)
            if rebuild is not None:
                report.problems += rebuild.unreplayed()
                report.problems += _orphan_rows(conn)
                periodic, report.periodic_runs = check_periodic(conn, rebuild.resolver)
                report.problems += periodic
                report.replayed, report.revisions = rebuild.replayed, rebuild.revisions
            if checkpoint is not None:
                report.problems += checkpoint.missing() + checkpoint.check_store(conn)
                report.checkpoint = checkpoint.summary()
        finally:
            if rebuild is not None:
                rebuild.close()
    return report


def _pages(conn: Connection, page: int) -> Iterator[list[tuple[str, list[Link], Head]]]:
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
        out = []
        for h in heads:
            record = h.record if isinstance(h.record, dict) else {}
            head = Head(h.version, h.state, record.get("version"), record.get("state"))
            out.append((h.id, links.get(h.id, []), head))
        yield out
        after = ids[-1]


def _orphans(conn: Connection, page: int) -> Iterator[tuple[str, list[Link]]]:
    """Entries whose ticket row is gone (possible where foreign keys were switched off)."""
    gone = not_(exists().where(TicketRow.id == EventRow.ticket_id))
    rows = conn.execution_options(yield_per=page).execute(_events().where(gone))
    yield from _grouped(rows)


def _orphan_rows(conn: Connection) -> list[Problem]:
    """Scope, deadline, step_runs, finished-run and outbox rows of a ticket that is gone (the
    outbox has no foreign key; the others only where foreign keys were switched off)."""
    out = []
    for table, key in _OWNED:
        gone = not_(exists().where(TicketRow.id == table.ticket_id))
        stmt = select(table.ticket_id, key).where(gone, table.ticket_id != "")
        for ticket_id, name in conn.execute(stmt.order_by(table.ticket_id, key)):
            message = f"a {table.__tablename__} row of a ticket the store does not hold: added"
            out.append(
                Problem(ticket_id, None, "extra", message, table=table.__tablename__, key=str(name))
            )
    return out


def _events() -> Any:
    return select(
        EventRow.seq,
        EventRow.prev_hash,
        EventRow.entry_hash,
        EventRow.entry,
        EventRow.recorded,
        *_EVENT_COLUMNS,
    ).order_by(EventRow.ticket_id, EventRow.seq)


def _grouped(rows: Iterable[Any]) -> Iterator[tuple[str, list[Link]]]:
    for ticket_id, group in groupby(rows, key=lambda r: r.ticket_id):
        yield ticket_id, [_link(r) for r in group]


def _link(row: Any) -> Link:
    columns = {name: getattr(row, name) for name in COLUMNS}
    entry = row.entry if isinstance(row.entry, dict) else None
    return Link(row.seq, row.prev_hash, row.entry_hash, entry, columns, row.recorded)
