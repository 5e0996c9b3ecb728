"""The durable store: a unit of work over the tables in `engine.store.tables`.

    store = Store.open(url, schema=None)          connect and apply migrations
    store = Store.open(url, init=True)            ... beginning an empty store where one was lost
    store = Store.open_existing(url)              a reader's: nothing created, nothing migrated
                                                  (`read_only=True`: SQLite opened read-only)
    with store.write() as tx: ...                 one transaction (BEGIN IMMEDIATE on SQLite)
    with store.read() as tx: ...                  a read-only view
    store.probe()                                 a write begun and rolled back (readiness)

`Tx.save(outcome, ...)` writes everything one accepted event produced (log entries, the ticket,
its deadlines, its scope values, the notifications for the outbox, the idempotency record) in
the transaction of the `with` block: all of it commits, or none of it does. The ticket row is
updated only if its version is still the one the caller read (`expected_version`); otherwise
`StaleVersion` is raised and nothing is written.

An SQLite file is watched (`engine.store.guard`): once it has been removed or replaced under
the running store, `write()` raises `StoreUnavailable` before it begins and after it commits,
so no write is acknowledged. A database that refuses work (down, disk full, read-only) raises
`StoreUnavailable` too, with the driver's reason, instead of the driver's own error.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    event,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, InternalError, OperationalError, SQLAlchemyError

from engine.core.model import LogEntry, Notification, Outcome, StepRun, Ticket, evolve
from engine.errors import StoreUnavailable
from engine.store import chain, codec, guard
from engine.store.changes import ChangeOps
from engine.store.checkpoints import Checkpointer, store_pages
from engine.store.database import (
    WRITE,
    current_heads,
    existing_engine,
    first_line,
    make_engine,
    shown,
    sqlite_file,
    upgrade,
)
from engine.store.outbox import OutboxOps
from engine.store.prepared import Prepared
from engine.store.queries import Queries
from engine.store.refs import RefOps
from engine.store.subscriptions import SubscriptionOps
from engine.store.tables import (
    DeadlineRow,
    EventRow,
    IdempotencyRow,
    OutboxRow,
    RevisionRow,
    TicketRow,
    TicketRunRow,
    TicketScopeRow,
)
from engine.store.users import UserOps
from engine.store.work import WorkQueries

__all__ = [
    "Idempotency",
    "KeyTaken",
    "StaleVersion",
    "Store",
    "StoredTicket",
    "Tx",
    "record_of",
]


class StaleVersion(Exception):
    """The ticket changed since it was read (or vanished: `current` is None)."""

    def __init__(self, ticket_id: str, expected: int, current: int | None) -> None:
        super().__init__(f"ticket {ticket_id}: expected version {expected}, found {current}")
        self.ticket_id, self.expected, self.current = ticket_id, expected, current


class KeyTaken(Exception):
    """Another request stored this idempotency key first (in a concurrent transaction)."""


@dataclass(frozen=True)
class Idempotency:
    scope: str  # a ticket id, or "create:<user>" (engine.app.service.creation_scope)
    key: str
    request_hash: str
    response: dict[str, Any]


@dataclass(frozen=True)
class StoredTicket:
    ticket: Ticket
    external_ref: str | None = None
    # Where the ticket's hash chain ended when it was read, (seq, entry_hash), read in the same
    # statement as the ticket (None when read for update). `Tx.save(previous=...)` uses it.
    last_link: tuple[int, str] | None = None
    # When the ticket's last stored entry happened (its `at`): no event may be recorded
    # before it (`TicketService`). None for a ticket without entries.
    last_at: datetime | None = None


# Statements built once: building one per call (column comparisons, coercions, its cache key)
# cost more than executing it. Values are bound at execution.
_LAST_AT = (
    select(EventRow.at)
    .where(EventRow.ticket_id == TicketRow.id)
    .order_by(EventRow.seq.desc())
    .limit(1)
)
_TICKET_COLUMNS = (
    TicketRow.record,
    TicketRow.external_ref,
    select(func.max(EventRow.seq))
    .where(EventRow.ticket_id == TicketRow.id)
    .scalar_subquery()
    .label("last_seq"),
    select(EventRow.entry_hash)
    .where(EventRow.ticket_id == TicketRow.id)
    .order_by(EventRow.seq.desc())
    .limit(1)
    .scalar_subquery()
    .label("last_hash"),
    _LAST_AT.scalar_subquery().label("last_at"),
)
_SELECT_TICKET = Prepared(
    select(*_TICKET_COLUMNS).where(TicketRow.id == bindparam("ticket_id")), ("ticket_id",)
)
# Locked: without the chain end. On PostgreSQL a FOR UPDATE that waited for another writer
# returns the row as that writer left it, but its subqueries still see the snapshot taken
# before the wait; the chain end is read by a later statement instead (`chain.last_link`).
_SELECT_TICKET_LOCKED = (
    select(TicketRow.record, TicketRow.external_ref)
    .where(TicketRow.id == bindparam("ticket_id"))
    .with_for_update()
)
_LOCK_TICKET = Prepared(
    select(TicketRow.id)
    .where(TicketRow.id == bindparam("ticket_id"))
    .with_for_update(skip_locked=True),
    ("ticket_id",),
)
_LOCK_DUE = Prepared(  # built once: building it per swept ticket cost more than running it
    select(DeadlineRow.id)
    .where(
        DeadlineRow.ticket_id == bindparam("ticket_id"),
        DeadlineRow.due <= bindparam("now", type_=DeadlineRow.due.type),
        DeadlineRow.checked.is_(None),
    )
    .with_for_update(skip_locked=True),
    ("ticket_id", "now"),
)
_SELECT_LAST_AT = (
    select(EventRow.at)
    .where(EventRow.ticket_id == bindparam("ticket_id"))
    .order_by(EventRow.seq.desc())
    .limit(1)
)
_SELECT_VERSION = select(TicketRow.version).where(TicketRow.id == bindparam("ticket_id"))
_UPDATE_TICKET = Prepared(
    update(TicketRow).where(
        TicketRow.id == bindparam("b_id"), TicketRow.version == bindparam("b_expected")
    ),
    ("sop_id", "revision", "spec_hash", "state", "status", "breached", "version", "closed")
    + ("record", "updated", "b_id", "b_expected"),
)
_INSERT_TICKET = insert(TicketRow)
# The inserts and deletes of every write run on the DBAPI cursor (`Prepared`).
_EVENT_KEYS = (
    "ticket_id", "seq", "version", "at", "event", "actor", "user", "from_state", "to_state",
    "from_status", "to_status", "sop_id", "revision", "spec_hash", "caused_by",
    "idempotency_key", "recorded", "entry", "prev_hash", "entry_hash",
)  # fmt: skip
_INSERT_EVENTS = Prepared(insert(EventRow), _EVENT_KEYS)
_DELETE_DEADLINES = Prepared(
    delete(DeadlineRow).where(DeadlineRow.ticket_id == bindparam("ticket_id")), ("ticket_id",)
)
_INSERT_DEADLINES = Prepared(insert(DeadlineRow), ("ticket_id", "kind", "name", "due"))
_DELETE_SCOPES = Prepared(
    delete(TicketScopeRow).where(TicketScopeRow.ticket_id == bindparam("ticket_id")),
    ("ticket_id",),
)
_INSERT_SCOPES = Prepared(insert(TicketScopeRow), ("ticket_id", "name", "value"))
_INSERT_RUNS = Prepared(insert(TicketRunRow), ("ticket_id", "visit", "run"))
_COUNT_RUNS = select(func.count()).where(TicketRunRow.ticket_id == bindparam("ticket_id"))
_SELECT_RUNS = (
    select(TicketRunRow.ticket_id, TicketRunRow.run)
    .where(TicketRunRow.ticket_id.in_(bindparam("ids", expanding=True)))
    .order_by(TicketRunRow.ticket_id, TicketRunRow.visit)
)
_OUTBOX_KEYS = (
    "notification_id", "ticket_id", "to_actor", "channel", "scope_name", "scope_value",
    "payload", "status", "attempts", "next_attempt_at", "done_channels", "last_error",
    "created", "delivered",
)  # fmt: skip
_SELECT_QUEUED = select(OutboxRow.notification_id).where(
    OutboxRow.notification_id.in_(bindparam("ids", expanding=True))
)
_INSERT_OUTBOX = Prepared(insert(OutboxRow), _OUTBOX_KEYS)
_SELECT_KEY = select(IdempotencyRow).where(
    IdempotencyRow.scope == bindparam("scope"), IdempotencyRow.key == bindparam("key")
)
# A read transaction: READ ONLY on PostgreSQL (SQLAlchemy's psycopg dialect; ignored by SQLite).
_READ = {"postgresql_readonly": True}
READ_ONLY_SQLSTATE = "25006"  # read_only_sql_transaction
# The readiness probe's write: rewrites a row as it is, in a transaction rolled back.
_TOUCH = text("UPDATE alembic_version SET version_num = version_num")


@contextmanager
def _queued(path: str | None) -> Iterator[None]:
    """Hold an exclusive flock on `path` (each holder its own descriptor, so threads queue too)."""
    if path is None:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:  # e.g. the file system remounted read-only after disk errors
        raise StoreUnavailable(f"cannot take the write lock: {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def wall_now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(
        self,
        engine: Engine,
        *,
        watch: guard.FileWatch | None = None,
        checkpointer: Checkpointer | None = None,
    ) -> None:
        self.engine = engine
        self._watch = watch
        self._checkpointer = checkpointer
        # SQLite file: writers queue on a lock file (flock wakes the next one when the lock is
        # released) before BEGIN IMMEDIATE, instead of SQLite's busy handler, which sleeps
        # 1, 2, 5, 10... ms between retries and leaves the CPU idle while writers wait.
        self.path = sqlite_file(engine.url.render_as_string(hide_password=False))
        self._write_lock = str(guard.writelock_path(self.path)) if self.path else None

    @classmethod
    def open(
        cls, url: str, *, schema: str | None = None, migrate: bool = True, init: bool = False
    ) -> Store:
        """Connect (and migrate). An SQLite file's folder is checked first (`guard.prepare`:
        one-line `StoreUnavailable` when it is read-only, not writable, or lost its database,
        unless `init`), and the file is watched while the store is open. A database that
        cannot be reached or migrated raises `StoreUnavailable` with the driver's reason."""
        path = sqlite_file(url)
        had_store = guard.prepare(path, init=init) if path is not None else False
        engine = make_engine(url, schema=schema, access="rw" if path is not None else "rwc")
        if path is not None:  # commits leave the log's copying to the Checkpointer (below)
            event.listen(engine, "connect", lambda dbapi_conn, _record: store_pages(dbapi_conn))
        try:
            if had_store and not init and path is not None:
                with engine.connect() as conn:
                    guard.require_store(path, current_heads(conn))
            if migrate:
                upgrade(engine)
            watch = checkpointer = None
            if path is not None:
                guard.mark(path)
                watch = guard.FileWatch(path)
                checkpointer = Checkpointer(path)
        except SQLAlchemyError as exc:
            engine.dispose()
            where = path or shown(url)
            raise StoreUnavailable(f"cannot open the store at {where}: {first_line(exc)}") from None
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, watch=watch, checkpointer=checkpointer)

    @classmethod
    def open_existing(cls, url: str, *, read_only: bool = False) -> Store:
        """The store as it is, for commands that only read it (`database.existing_engine`):
        raises `StoreUnavailable` rather than create a missing file or upgrade the schema.
        `read_only`: an SQLite file is opened read-only (writes fail), so that a copy reads in
        a folder this user cannot write."""
        return cls(existing_engine(url, read_only=read_only))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def concurrent_writers(self) -> bool:
        """Whether write transactions run side by side (PostgreSQL: row locks) rather than
        one at a time (SQLite: `BEGIN IMMEDIATE` takes the database's write lock)."""
        return self.engine.dialect.name != "sqlite"

    def close(self) -> None:
        self.engine.dispose()
        if self._checkpointer is not None:
            self._checkpointer.close()
        if self._watch is not None:
            self._watch.close()

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """One write transaction. On a watched file, refused before it begins once the file is
        lost, and refused after it commits if the file was lost meanwhile: what it wrote went
        to a file no one can open again, so it is not acknowledged."""
        watch = self._watch
        if watch is not None:
            watch.check()
        with (
            self._unavailable(),
            _queued(self._write_lock),
            self.engine.connect().execution_options(**WRITE) as conn,
            conn.begin(),
        ):
            yield Tx(conn)
        if watch is not None:
            watch.check()

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read-only transaction (on PostgreSQL `BEGIN READ ONLY`: a read path that wrote
        would fail here, and a hot standby serves it)."""
        with (
            self._unavailable(),
            self.engine.connect().execution_options(**_READ) as conn,
            conn.begin(),
        ):
            yield Tx(conn)

    def heads(self) -> frozenset[str]:
        """The migrations the database is at, read in a read transaction (a replica's check)."""
        with self.read() as tx:
            return current_heads(tx.conn)

    def probe(self) -> frozenset[str]:
        """Begin a write transaction, write a row as it is and roll back: raises
        `StoreUnavailable` unless the database takes writes now. Returns the migrations it is
        at. (A rolled-back write need not reach the disk: a full disk is a separate check.)"""
        if self._watch is not None:
            self._watch.check()
        with (
            self._unavailable(),
            _queued(self._write_lock),
            self.engine.connect().execution_options(**WRITE) as conn,
        ):
            trans = conn.begin()
            try:
                conn.execute(_TOUCH)
                return current_heads(conn)
            finally:
                trans.rollback()

    @contextmanager
    def _unavailable(self) -> Iterator[None]:
        """The database refusing work (unreachable, down, disk full, read-only, its file gone)
        as `StoreUnavailable`; PostgreSQL's transaction rollbacks (deadlock, serialization:
        SQLSTATE class 40) are left to the caller."""
        try:
            yield
        except (OperationalError, InternalError) as exc:
            if not refuses_work(exc):
                raise
            if isinstance(exc, InternalError):
                raise StoreUnavailable(f"the database is read-only: {first_line(exc)}") from exc
            if self._watch is not None:
                self._watch.check()  # a lost file says so rather than the driver's reason
            raise StoreUnavailable(f"the database refused the work: {first_line(exc)}") from exc


def refuses_work(exc: SQLAlchemyError) -> bool:
    """Whether `exc` is the database refusing work (unreachable, down, disk full, read-only)
    rather than one transaction's fault: PostgreSQL's rollbacks (deadlock, serialization:
    SQLSTATE class 40) are not. 25006, a write in a read-only transaction, is a server in
    read-only mode or a standby (a failover under way, a URL pointing at a replica); psycopg
    calls it an internal error."""
    sqlstate = str(getattr(getattr(exc, "orig", None), "sqlstate", None) or "")
    if isinstance(exc, OperationalError):
        return not sqlstate.startswith("40")
    return isinstance(exc, InternalError) and sqlstate == READ_ONLY_SQLSTATE


class Tx(Queries, OutboxOps, UserOps, RefOps, ChangeOps, SubscriptionOps, WorkQueries):
    """The operations of one transaction. Obtain one from `Store.write()` / `Store.read()`."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- tickets ----------------------------------------------------------------------------------

    def ticket(self, ticket_id: str, *, for_update: bool = False) -> StoredTicket | None:
        """The stored ticket; `for_update` also locks its row until the transaction ends."""
        key = {"ticket_id": ticket_id}
        link: tuple[int, str] | None = None
        if for_update:
            found = self.conn.execute(_SELECT_TICKET_LOCKED, key).first()
            if found is None:
                return None
            record, external_ref = found
            # read after the lock, as the chain end is (see _SELECT_TICKET_LOCKED)
            last_at = self.conn.scalar(_SELECT_LAST_AT, key)
        else:
            rows = _SELECT_TICKET.rows(self.conn, key)
            if not rows:
                return None
            ((record, external_ref, last_seq, last_hash, last_at),) = rows
            link = (0, chain.GENESIS)
            if last_seq is not None:
                link = (int(last_seq), last_hash or chain.GENESIS)
        return StoredTicket(codec.decode(Ticket, record), external_ref, link, last_at)

    def ticket_version(self, ticket_id: str) -> int | None:
        return self.conn.scalar(_SELECT_VERSION, {"ticket_id": ticket_id})

    def save(
        self,
        outcome: Outcome,
        *,
        expected_version: int | None,
        scopes: Mapping[str, str],
        scope_fields: Mapping[str, str],
        external_ref: str | None = None,
        idempotency: Idempotency | None = None,
        previous: StoredTicket | None = None,
        previous_scopes: Mapping[str, str] | None = None,
    ) -> Ticket:
        """Write what one event (or a new ticket: `expected_version=None`) produced.

        `scopes`: the ticket's scope field -> value; `scope_fields`: actor id -> the scope field
        of that actor (for the outbox's scope columns). `previous`: the ticket as read at
        `expected_version` (`Tx.ticket`): its chain end is used instead of reading it again;
        `previous_scopes`: the scopes saved with that version, so unchanged ones are not
        rewritten. Both are only trusted because the write is conditional on that version.
        Returns the ticket as stored (its version is at least `expected_version + 1`).
        """
        now = wall_now()
        ticket = outcome.ticket
        if idempotency is not None:
            self._claim_key(idempotency, ticket.id, now)
        link: tuple[int, str] | None
        old_scopes: Mapping[str, str] | None
        if expected_version is None:
            self.conn.execute(_INSERT_TICKET, _ticket_values(ticket, now, external_ref))
            self._append_runs(ticket, 0)
            link, old_scopes = (0, chain.GENESIS), {}
        else:
            if ticket.version <= expected_version:
                ticket = replace(ticket, version=expected_version + 1)
            self._update_ticket(ticket, expected_version, now)
            if previous is not None and previous.ticket.version != expected_version:
                previous = None  # read at another version: what it knew is not this write's
            stored = (
                previous.ticket.runs_done
                if previous is not None
                else int(self.conn.scalar(_COUNT_RUNS, {"ticket_id": ticket.id}) or 0)
            )
            self._append_runs(ticket, stored)
            link = previous.last_link if previous is not None else None
            if link is None:
                link = chain.last_link(self.conn, ticket.id)
            old_scopes = previous_scopes
        self._append_log(ticket.id, outcome.log, idempotency, now, link)
        self._replace_deadlines(ticket.id, outcome)
        if old_scopes is None or dict(old_scopes) != dict(scopes):
            self._replace_scopes(ticket.id, scopes, had_rows=old_scopes != {})
        self.enqueue(outcome.notifications, scope_fields, now)
        return ticket

    def _claim_key(self, idem: Idempotency, ticket_id: str, now: datetime) -> None:
        values = {
            "scope": idem.scope,
            "key": idem.key,
            "request_hash": idem.request_hash,
            "ticket_id": ticket_id,
            "response": idem.response,
            "created": now,
        }
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(IdempotencyRow).values(values))
        except IntegrityError:
            raise KeyTaken(f"{idem.scope}/{idem.key}") from None

    def _append_runs(self, ticket: Ticket, stored: int) -> None:
        """Write the runs the ticket finished since `stored` of them were (its record keeps
        none: `_ticket_values`)."""
        new = ticket.history[max(0, stored - ticket.runs_before) :]
        first = ticket.runs_done - len(new)
        if new:
            rows = [
                {"ticket_id": ticket.id, "visit": first + i, "run": codec.encode(run)}
                for i, run in enumerate(new)
            ]
            _INSERT_RUNS.run(self.conn, rows)

    def with_history(self, tickets: Iterable[Ticket]) -> list[Ticket]:
        """The tickets with every step run they finished in `history` (`runs_before` 0): what a
        reader of a ticket's whole life needs (its page, a report); deciding does not."""
        tickets = list(tickets)
        apart = [t.id for t in tickets if t.runs_before]
        runs: dict[str, list[StepRun]] = {}
        for start in range(0, len(apart), 500):
            ids = apart[start : start + 500]
            for row in self.conn.execute(_SELECT_RUNS, {"ids": ids}):
                runs.setdefault(row.ticket_id, []).append(codec.decode(StepRun, row.run))
        return [
            t
            if not t.runs_before
            else replace(
                t, history=(*runs.get(t.id, ())[: t.runs_before], *t.history), runs_before=0
            )
            for t in tickets
        ]

    def _update_ticket(self, ticket: Ticket, expected: int, now: datetime) -> None:
        values = _ticket_values(ticket, now, None)
        for key in ("id", "created", "external_ref"):
            values.pop(key)
        values["b_id"], values["b_expected"] = ticket.id, expected
        if _UPDATE_TICKET.run(self.conn, [values]) != 1:
            raise StaleVersion(ticket.id, expected, self.ticket_version(ticket.id))

    def _append_log(
        self,
        ticket_id: str,
        entries: Iterable[LogEntry],
        idem: Idempotency | None,
        now: datetime,
        link: tuple[int, str],
    ) -> None:
        seq, prev = link
        rows = []
        for i, entry in enumerate(entries):
            seq += 1
            # The event's own key (a creation key is scoped to creation, not to the ticket).
            key = idem.key if idem is not None and idem.scope == ticket_id and i == 0 else None
            values = _event_values(entry, seq, key, now)
            prev = chain.stamp(values, prev)  # chained to the entry before, by hash
            rows.append(values)
        if rows:
            _INSERT_EVENTS.run(self.conn, rows)

    def _replace_deadlines(self, ticket_id: str, outcome: Outcome) -> None:
        _DELETE_DEADLINES.run(self.conn, [{"ticket_id": ticket_id}])
        rows = [
            {"ticket_id": ticket_id, "kind": d.kind, "name": d.name, "due": d.due}
            for d in outcome.deadlines
        ]
        if rows:
            _INSERT_DEADLINES.run(self.conn, rows)

    def _replace_scopes(self, ticket_id: str, scopes: Mapping[str, str], had_rows: bool) -> None:
        """`had_rows`: False when the ticket is known to have no scope rows (nothing to delete)."""
        if had_rows:
            _DELETE_SCOPES.run(self.conn, [{"ticket_id": ticket_id}])
        rows = [{"ticket_id": ticket_id, "name": k, "value": v} for k, v in scopes.items()]
        if rows:
            _INSERT_SCOPES.run(self.conn, rows)

    def enqueue(
        self, notes: Iterable[Notification], scope_fields: Mapping[str, str], now: datetime
    ) -> None:
        """Put notifications in the outbox in this transaction: `save` does it for an event's
        own, a job that notifies without an event (a periodic step) calls it itself.
        `scope_fields`: actor -> its scope field, so a scoped recipient's feed finds its rows."""
        notes = list(notes)
        if not notes:
            return
        # A notification id is stable: one already in the outbox is the same notification.
        seen = set(self.conn.scalars(_SELECT_QUEUED, {"ids": [n.id for n in notes]}))
        rows = []
        for note in notes:
            if note.id in seen:
                continue
            seen.add(note.id)
            rows.append(_outbox_values(note, scope_fields.get(note.to), now))
        if rows:
            _INSERT_OUTBOX.run(self.conn, rows)

    # -- idempotency ------------------------------------------------------------------------------

    def idempotency(self, scope: str, key: str) -> Idempotency | None:
        row = self.conn.execute(_SELECT_KEY, {"scope": scope, "key": key}).first()
        if row is None:
            return None
        return Idempotency(row.scope, row.key, row.request_hash, row.response)

    # -- deadlines --------------------------------------------------------------------------------

    def due_ticket_ids(self, now: datetime, limit: int) -> list[str]:
        """Tickets with a deadline due by `now`, earliest first (an index range on `due`)."""
        ordered = (
            select(DeadlineRow.ticket_id, DeadlineRow.due)
            .where(DeadlineRow.due <= now, DeadlineRow.checked.is_(None))
            .order_by(DeadlineRow.due)
            .limit(limit * 4)
        )
        ids: list[str] = []
        for ticket_id, _ in self.conn.execute(ordered):
            if ticket_id not in ids:
                ids.append(ticket_id)
                if len(ids) == limit:
                    break
        return ids

    def lock_due(self, ticket_id: str, now: datetime) -> list[int]:
        """Lock the ticket's row, then its due deadline rows; [] if none are due or another
        transaction holds the ticket (a request writing it, another sweeper: the next pass
        takes it).

        The ticket first, in the order an event's write takes them (it updates the ticket, then
        replaces its deadlines): a sweep that locked the deadlines first deadlocked against such
        a write on PostgreSQL (SQLSTATE 40P01), and one of the two was rolled back. Both locks
        are SELECT ... FOR UPDATE SKIP LOCKED, so a sweeper never waits and concurrent sweepers
        split the work. SQLite's write transaction already excludes every other writer (and
        SQLAlchemy leaves FOR UPDATE out there).
        """
        if not _LOCK_TICKET.rows(self.conn, {"ticket_id": ticket_id}):
            return []
        return [row[0] for row in _LOCK_DUE.rows(self.conn, {"ticket_id": ticket_id, "now": now})]

    def mark_checked(self, deadline_ids: list[int], now: datetime) -> None:
        """Keep rows the core had nothing to do for out of later sweeps (until replaced)."""
        if deadline_ids:
            self.conn.execute(
                update(DeadlineRow).where(DeadlineRow.id.in_(deadline_ids)).values(checked=now)
            )

    # -- revisions --------------------------------------------------------------------------------

    def has_revision(self, spec_hash: str) -> bool:
        found = self.conn.scalar(select(exists().where(RevisionRow.spec_hash == spec_hash)))
        return bool(found)

    def save_revision(
        self, spec_hash: str, sop_id: str, revision: str, text: str, rules: Mapping[str, str]
    ) -> bool:
        """Store a revision's texts once; False if that hash is already stored."""
        if self.has_revision(spec_hash):
            return False
        values = {
            "spec_hash": spec_hash,
            "sop_id": sop_id,
            "revision": revision,
            "text": text,
            "rules": dict(rules),
            "stored": wall_now(),
        }
        try:
            with self.conn.begin_nested():
                self.conn.execute(insert(RevisionRow).values(values))
        except IntegrityError:  # another process stored it at the same moment
            return False
        return True

    def revision_texts(self, spec_hash: str) -> tuple[str, dict[str, str]] | None:
        row = self.conn.execute(
            select(RevisionRow.text, RevisionRow.rules).where(RevisionRow.spec_hash == spec_hash)
        ).first()
        return None if row is None else (row.text, dict(row.rules))


# -- row values ---------------------------------------------------------------------------------


def record_of(ticket: Ticket) -> dict[str, Any]:
    """The ticket's record as stored: without its finished runs (`ticket_runs`, written once
    each by `Tx.save`), since the record is rewritten on every event and holds what deciding
    the next one reads."""
    return codec.encode(evolve(ticket, history=(), runs_before=ticket.runs_done))


def _ticket_values(ticket: Ticket, now: datetime, external_ref: str | None) -> dict[str, Any]:
    active = ticket.active
    return {
        "id": ticket.id,
        "sop_id": ticket.sop_id,
        "revision": ticket.revision,
        "spec_hash": ticket.spec_hash,
        "state": ticket.state,
        "status": ticket.status,
        "breached": bool(active is not None and active.breached_at is not None),
        "version": ticket.version,
        "created": ticket.created,
        "closed": ticket.closed,
        "external_ref": external_ref,
        "record": record_of(ticket),
        "updated": now,
    }


def _event_values(entry: LogEntry, seq: int, key: str | None, now: datetime) -> dict[str, Any]:
    return {
        "ticket_id": entry.ticket_id,
        "seq": seq,
        "version": entry.version,
        "at": entry.at,
        "event": entry.event,
        "actor": entry.actor,
        "user": entry.user,
        "from_state": entry.from_state,
        "to_state": entry.to_state,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "sop_id": entry.sop_id,
        "revision": entry.revision,
        "spec_hash": entry.spec_hash,
        "caused_by": entry.caused_by,
        "idempotency_key": key,
        "recorded": now,
        "entry": codec.encode(entry),
    }


def _outbox_values(note: Notification, scope_name: str | None, now: datetime) -> dict[str, Any]:
    return {
        "notification_id": note.id,
        "ticket_id": note.ticket_id,
        "to_actor": note.to,
        "channel": note.channel,
        "scope_name": scope_name if note.scope is not None else None,
        "scope_value": note.scope,
        "payload": codec.encode(note),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "done_channels": [],
        "last_error": None,
        "created": now,
        "delivered": None,
    }
