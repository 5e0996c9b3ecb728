"""`sop audit verify`: check the whole store against its hash-chained log.

    verify_store(store, *, page=500, chain_only=False, checkpoint=None, files=None,
                 processes=None, progress=None) -> Report
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

Given `processes` (`engine.app.processes`) and enough tickets, steps 2 and 3 are split over
worker processes by ranges of whole pages of ids, each worker opening the store from its URL
and rebuilding the revisions itself; the parent merges the ranges' findings in id order (so
problems are listed as one process lists them) and does steps 1, 4, 5 and 6's rest. On
PostgreSQL the workers read in the parent's snapshot; on SQLite each range is read in a
snapshot of its own (`engine.app.audit.snapshot`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import groupby
from multiprocessing import util
from typing import Any

from sqlalchemy import Connection, exists, func, not_, select

from engine.app.audit.chain_check import COLUMNS, Head, Link, Problem, check_ticket
from engine.app.audit.checkpoint import Checkpoint
from engine.app.audit.files_check import FileCheck
from engine.app.audit.periodic_check import check_periodic
from engine.app.audit.rebuild import Rebuilder
from engine.app.audit.snapshot import export_snapshot, snapshot
from engine.app.processes import CHUNK_TICKETS, Chunk, Processes, chunks, run_chunks
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

__all__ = ["Report", "tickets_to_verify", "verify_store"]

CHAIN_ONLY_CHEAPER = 10  # --chain-only: workers from 10 x MIN_TICKETS tickets
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
    processes: Processes | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """`progress(n)`: called with the number of tickets checked since its last call (after
    each page in-process, after each range of tickets a worker finished with `processes`)."""
    report = Report()
    with snapshot(store) as conn:
        rebuild = None if chain_only else Rebuilder(store, conn)
        try:
            if rebuild is not None:
                report.problems += rebuild.check_revisions()
            ids = _ticket_ids(conn) if processes is not None else []
            # The chain checks alone cost about a tenth of a replay: worth workers 10x later.
            weight = len(ids) // CHAIN_ONLY_CHEAPER if chain_only else len(ids)
            if processes is None or not processes.wanted(weight):
                tools = _Tools(rebuild, _fresh(checkpoint), _files(files), page)
                _add(report, _walk(conn, tools, None, None, progress), checkpoint)
            else:
                # Ranges of whole pages: each page's problems listed as one process lists them.
                planned = chunks(ids, page * max(1, CHUNK_TICKETS // page))
                args = (processes, chain_only, checkpoint, files, page, export_snapshot(conn))
                for part in run_chunks(processes, _Worker, args, _check_chunk, planned, progress):
                    _add(report, part, checkpoint)
                    if rebuild is not None:
                        rebuild.add_left_out(part.left_out)
            for ticket_id, links in _orphans(conn, page):
                report.entries += len(links)
                report.problems += check_ticket(ticket_id, links, None)
            if rebuild is not None:
                report.problems += rebuild.unreplayed()
                report.problems += _orphan_rows(conn)
                periodic, report.periodic_runs = check_periodic(conn, rebuild.resolver)
                report.problems += periodic
                report.revisions = rebuild.revisions
            if checkpoint is not None:
                report.problems += checkpoint.missing() + checkpoint.check_store(conn)
                report.checkpoint = checkpoint.summary()
        finally:
            if rebuild is not None:
                rebuild.close()
    return report


def tickets_to_verify(store: Store) -> int:
    """How many tickets `verify_store` walks (the length of its progress bar)."""
    with store.read() as tx:
        return int(tx.conn.scalar(select(func.count()).select_from(TicketRow)) or 0)


@dataclass
class _Part:
    """What a walk over a range of tickets found (in a worker process, or in this one)."""

    tickets: int = 0
    entries: int = 0
    replayed: int = 0
    problems: list[Problem] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # checkpointed tickets found
    new: int = 0  # tickets the checkpoint does not hold
    left_out: dict[str, tuple[str, int]] = field(default_factory=dict)  # see Rebuilder


@dataclass
class _Tools:
    rebuild: Rebuilder | None
    checkpoint: Checkpoint | None  # a copy, its `seen` and `new` counting this walk's alone
    files: FileCheck | None
    page: int


def _fresh(checkpoint: Checkpoint | None) -> Checkpoint | None:
    return None if checkpoint is None else replace(checkpoint, seen=set(), new=0)


def _files(files: FileStore | None) -> FileCheck | None:
    return FileCheck(files) if files is not None else None


def _add(report: Report, part: _Part, checkpoint: Checkpoint | None) -> None:
    report.tickets += part.tickets
    report.entries += part.entries
    report.replayed += part.replayed
    report.problems += part.problems
    if checkpoint is not None:
        checkpoint.seen |= part.seen
        checkpoint.new += part.new


def _walk(
    conn: Connection,
    tools: _Tools,
    after: str | None,
    upto: str | None,
    progress: Callable[[int], None] | None = None,
) -> _Part:
    """Steps 2 and 3 of the module's docstring for the tickets after < id <= upto, a page at a
    time: each page's chain problems, ticket by ticket, then its replay's."""
    part = _Part()
    rebuild, checkpoint = tools.rebuild, tools.checkpoint
    replayed = rebuild.replayed if rebuild is not None else 0
    for heads in _pages(conn, tools.page, after, upto):
        intact = []
        for ticket_id, links, head in heads:
            part.tickets += 1
            part.entries += len(links)
            found = check_ticket(ticket_id, links, head)
            if checkpoint is not None:
                found += checkpoint.check_ticket(ticket_id, links)
            part.problems += found
            if tools.files is not None:  # a lost file: the log still replays
                part.problems += tools.files.check(ticket_id, links)
            if not found:
                intact.append((ticket_id, links))
        if rebuild is not None:
            part.problems += rebuild.check(intact)
        if progress is not None:
            progress(len(heads))
    if rebuild is not None:
        part.replayed = rebuild.replayed - replayed
    if checkpoint is not None:
        part.seen, part.new = checkpoint.seen, checkpoint.new
    return part


class _Worker:
    """A worker process's own store, rebuilder and checks (`engine.app.processes`)."""

    def __init__(
        self,
        processes: Processes,
        chain_only: bool,
        checkpoint: Checkpoint | None,
        files: FileStore | None,
        page: int,
        shared: str | None,
    ) -> None:
        self.store = processes.open_store()
        self.chain_only, self.checkpoint, self.shared = chain_only, checkpoint, shared
        self.tools = _Tools(None, None, _files(files), page)

    def rebuilder(self, conn: Connection) -> Rebuilder:
        """One per worker, made in its first range: the revisions rebuilt once, checked once
        (their problems are the parent's to list)."""
        rebuild = self.tools.rebuild
        if rebuild is None:
            rebuild = self.tools.rebuild = Rebuilder(self.store, conn)
            util.Finalize(rebuild, rebuild.close, exitpriority=20)
            rebuild.check_revisions()
        rebuild.reading(conn)
        return rebuild


def _check_chunk(worker: _Worker, chunk: Chunk) -> _Part:
    with snapshot(worker.store, worker.shared) as conn:
        rebuild = None if worker.chain_only else worker.rebuilder(conn)
        before = rebuild.left_out() if rebuild is not None else {}
        worker.tools.checkpoint = _fresh(worker.checkpoint)
        part = _walk(conn, worker.tools, chunk.after, chunk.upto)
    if rebuild is not None:
        for spec_hash, (why, tickets) in rebuild.left_out().items():
            had = before.get(spec_hash)
            if had is None or tickets > had[1]:
                part.left_out[spec_hash] = (why, tickets - (had[1] if had else 0))
    return part


def _ticket_ids(conn: Connection) -> list[str]:
    return list(conn.scalars(select(TicketRow.id).order_by(TicketRow.id)))


def _pages(
    conn: Connection, page: int, after: str | None = None, upto: str | None = None
) -> Iterator[list[tuple[str, list[Link], Head]]]:
    while True:
        stmt = select(TicketRow.id, TicketRow.version, TicketRow.state, TicketRow.record)
        if after is not None:
            stmt = stmt.where(TicketRow.id > after)
        if upto is not None:
            stmt = stmt.where(TicketRow.id <= upto)
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
