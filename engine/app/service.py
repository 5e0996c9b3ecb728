"""The service layer: what the HTTP API, the CLI and the sweeper call.

    service = TicketService(catalog, store, clock)
    service.create_ticket(sop_id, fields, actor=..., user=...)        -> TicketRecord
    service.open_ticket(...)                                          -> PostResult (replayed?)
    service.post_event(ticket_id, type, actor, data, user=...)        -> PostResult
    service.get_ticket(id) / list_tickets(...) / timeline(id)         reads
    service.ticket_by_ref(source, ref) / add_ref(id, source, ref)     external references
    service.notifications(after=cursor)                               the outbox as a feed
    service.sweep(now=None)                                           apply due deadlines
    service.stop(grace)                  end sweeps after their batch (SIGTERM), wait for them

Each accepted event is decided by the pure core (`engine.core`) against the exact revision
the ticket is pinned to (compiled once and held by the `SpecResolver`), and everything it
produced commits in one transaction. Concurrent events on one ticket never lose an update: the
write is conditional on the version read; when another write won, the event is decided again
on the fresh ticket (holding the ticket's lock, so the retry cannot lose again), unless the
caller gave `if_match`: then `VersionMismatch` says which version is current. An idempotency
key makes a retried request return the first result and write nothing; the same key with a
different request is a `Conflict`. A key is scoped to one ticket's events, or to one caller's
openings (`CREATE_SCOPE`). The engine's own timer events cannot be posted (`InvalidData`
on `type`): they happen when a time limit or timer falls due.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import DBAPIError

from engine import core
from engine.app import handlers
from engine.app.exports import hold_references, references_given
from engine.app.listeners import OPENING, OTHER, EventListener
from engine.app.personal_history import logged_values, values_of
from engine.app.refs import Ref, check_refs, owner
from engine.core.apply import TIMER_EVENTS
from engine.core.clock import Clock, SystemClock
from engine.core.masking import Masker, ticket_masker
from engine.core.model import Deadline, Event, LogEntry, Outcome, Ticket
from engine.core.revision import CompiledRevision
from engine.errors import (
    Conflict,
    InvalidData,
    NotFound,
    SopError,
    StoreUnavailable,
    UnknownRevision,
    UnknownSop,
    VersionMismatch,
)
from engine.spec.catalog import Catalog
from engine.spec.model import Spec
from engine.store import codec
from engine.store.ids import new_ticket_id
from engine.store.prepared import savepoint
from engine.store.refs import RefTaken
from engine.store.revisions import SpecResolver, texts_of
from engine.store.store import (
    Idempotency,
    KeyTaken,
    StaleVersion,
    Store,
    StoredTicket,
    Tx,
    refuses_work,
)

__all__ = ["Page", "PostResult", "TicketRecord", "TicketService"]

log = logging.getLogger(__name__)
T = TypeVar("T")

# Where an Idempotency-Key is looked up (its scope, with the key the primary key of the
# idempotency table): a ticket's events share the ticket's id, whoever posts them (the events
# table keeps one event per ticket and key); openings are per caller (`creation_scope`), so
# two callers' keys never meet: one cannot replay, or be refused by, another's opening.
CREATE_SCOPE = "create"
MAX_KEY_LENGTH = 200
CLOCK_SKEW = timedelta(minutes=5)  # how far in the future an `occurred_at` may be
# Due events applied to one ticket in one transaction (a batch): a ticket with more due (a
# daily reminder over a long clock move) is caught up over several, each committed whole. A
# stopping sweep ends after the one under way: 261 events took 0.07 s on an idle 2-core machine
# and 0.35 s on a loaded one, so 500 take well under a second.
MAX_DUE_PER_TICKET = 500
# Tickets a sweep writes per transaction (each in its own savepoint): a commit and a write
# transaction's set-up cost more than a ticket's own statements; 20 keeps the write lock (the
# whole database on SQLite) held for tens of milliseconds at most.
SWEEP_GROUP = 20
# How long a request whose Idempotency-Key a concurrent request holds waits for that request's
# answer to be readable before giving up with a Conflict (it is readable as soon as the key is
# seen taken, on both backends: this only bounds a wait that should not happen).
KEY_WAIT = 2.0


@dataclass(frozen=True)
class TicketRecord:
    """A ticket as a reader sees it: the record, what may happen next, and its revision."""

    ticket: Ticket
    spec: Spec
    allowed_events: tuple[str, ...]
    deadlines: tuple[Deadline, ...]
    external_ref: str | None = None
    refs: tuple[Ref, ...] = ()  # other systems' ids for it (engine.app.refs)

    @property
    def id(self) -> str:
        return self.ticket.id

    @property
    def version(self) -> int:
        return self.ticket.version

    @property
    def spec_key(self) -> str:
        return self.spec.key

    @property
    def spec_hash(self) -> str:
        return self.ticket.spec_hash


@dataclass(frozen=True)
class PostResult:
    record: TicketRecord
    log: tuple[LogEntry, ...]  # the entries this event wrote (rule-fired events included)
    replayed: bool = False  # True: an idempotent retry; nothing new was written
    existing: bool = False  # True: an opening whose reference a ticket held; nothing written

    @property
    def ticket(self) -> Ticket:
        return self.record.ticket


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    next_cursor: str | int | None = None  # pass back as `cursor` / `after` for the next page


class TicketService:
    def __init__(self, catalog: Catalog, store: Store, clock: Clock | None = None) -> None:
        self.catalog = catalog
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self._specs = SpecResolver(catalog, store)
        self._keep_revision_texts()
        # Set when the process stops (SIGTERM): sweeps end after the batch under way.
        self.stopping = threading.Event()
        self._sweeps = 0  # sweeps under way, that `stop` waits for
        self._idle = threading.Condition()
        # Told of each event accepted or refused (engine.app.listeners); the API adds its
        # metrics here.
        self.listeners: list[EventListener] = []

    # -- writes -----------------------------------------------------------------------------------

    def create_ticket(
        self,
        sop_id: str,
        fields: dict[str, Any],
        *,
        actor: str | None,
        user: str | None,
        occurred_at: datetime | None = None,
        external_ref: str | None = None,
        idempotency_key: str | None = None,
        refs: Sequence[Ref] = (),
    ) -> TicketRecord:
        """The ticket `open_ticket` opened (or found, for a retried key)."""
        return self.open_ticket(
            sop_id,
            fields,
            actor=actor,
            user=user,
            occurred_at=occurred_at,
            external_ref=external_ref,
            idempotency_key=idempotency_key,
            refs=refs,
        ).record

    def open_ticket(
        self,
        sop_id: str,
        fields: dict[str, Any],
        *,
        actor: str | None,
        user: str | None,
        occurred_at: datetime | None = None,
        external_ref: str | None = None,
        idempotency_key: str | None = None,
        refs: Sequence[Ref] = (),
    ) -> PostResult:
        """Open a ticket: the new ticket and the entries its opening wrote. With an
        `idempotency_key`, a retry by the same `user` returns the first result (`replayed`).
        With `refs` of which a ticket holds one already: that ticket (`existing`), nothing
        opened (engine.app.refs)."""
        try:
            result = self._open_ticket(
                sop_id,
                fields,
                actor=actor,
                user=user,
                occurred_at=occurred_at,
                external_ref=external_ref,
                idempotency_key=idempotency_key,
                refs=check_refs(refs),
            )
        except SopError as exc:
            if not isinstance(exc, StoreUnavailable):
                known = sop_id if sop_id in self.catalog.specs else OTHER
                self._tell("refused", known, OPENING, exc.code)
            raise
        if not (result.replayed or result.existing):
            self._tell("accepted", result.ticket.sop_id, OPENING)
        return result

    def _open_ticket(
        self,
        sop_id: str,
        fields: dict[str, Any],
        *,
        actor: str | None,
        user: str | None,
        occurred_at: datetime | None,
        external_ref: str | None,
        idempotency_key: str | None,
        refs: list[Ref],
    ) -> PostResult:
        now = self.clock.now()
        at = _check_time(occurred_at, now) or now
        _check_dict(fields, "fields")
        request: dict[str, Any] = {"sop_id": sop_id, "fields": fields, "actor": actor}
        request.update(ref=external_ref, occurred_at=occurred_at)
        if refs:  # not in the hash without them: keys stored before refs existed still match
            request["refs"] = [list(r) for r in refs]
        digest = _request_hash(request)
        scope = creation_scope(user)
        if idempotency_key is not None:
            key = _check_key(idempotency_key)
            found = self._replay(scope, key, digest) or self._replay_shared(key, digest, user)
            if found is not None:
                return found
        # A reference field given at opening (engine.app.exports) finds its ticket as `refs` do;
        # _save records it, so it is not inserted twice.
        exports = self.catalog.integrations_of(sop_id).exports.values() if fields else ()
        filled = [pair for _, pair in references_given(exports, {}, fields)]
        held_by = [*refs, *(p for p in filled if p not in refs)]  # what the ticket will hold
        held = self._held(held_by)
        if held is not None:
            return held
        rev = self._governing(sop_id, at)
        outcome = core.new_ticket(rev, new_ticket_id(), dict(fields), at, actor=actor, user=user)
        idem = self._idempotency(scope, idempotency_key, digest, outcome)
        try:
            with self.store.write() as tx:
                saved = self._save(tx, rev.spec, outcome, None, idem, external_ref)
                tx.insert_refs(saved.id, [r for r in refs if r not in filled], now)
        except KeyTaken:
            return self._replay_or_fail(scope, idempotency_key, digest)
        except (RefTaken, InvalidData):  # opened meanwhile with the same reference
            held = self._held(held_by)
            if held is None:
                raise
            return held
        record = self.record(rev, saved, external_ref)
        return PostResult(replace(record, refs=tuple(held_by)), outcome.log)

    def _held(self, refs: Sequence[Ref]) -> PostResult | None:
        """The ticket that holds one of `refs` already, as an opening's answer."""
        if not refs:
            return None
        with self.store.read() as tx:
            ticket_id = owner(tx, refs)
        return (
            None if ticket_id is None else PostResult(self.get_ticket(ticket_id), (), existing=True)
        )

    def _governing(self, sop_id: str, at: datetime) -> CompiledRevision:
        """The revision in force at `at`. An unknown SOP, or none in force then, is the
        request's mistake: InvalidData on the field that named it (`sop`, `occurred_at`)."""
        try:
            return self.compiled(self.catalog.effective(sop_id, at))
        except UnknownSop as exc:
            raise InvalidData(exc.message, errors={"sop": [exc.message]}) from None
        except UnknownRevision as exc:
            raise InvalidData(exc.message, errors={"occurred_at": [exc.message]}) from None

    def post_event(
        self,
        ticket_id: str,
        type: str,
        actor: str,
        data: dict[str, Any] | None,
        *,
        user: str | None,
        occurred_at: datetime | None = None,
        idempotency_key: str | None = None,
        if_match: int | None = None,
    ) -> PostResult:
        """Decide `type` on the ticket and write what it produced (see the module's text)."""
        try:
            result = self._post_event(
                ticket_id,
                type,
                actor,
                data,
                user=user,
                occurred_at=occurred_at,
                idempotency_key=idempotency_key,
                if_match=if_match,
            )
        except SopError as exc:
            if self.listeners and not isinstance(exc, StoreUnavailable):
                sop_id, event = self._labels(ticket_id, type, exc)
                self._tell("refused", sop_id, event, exc.code)
            raise
        if not result.replayed:
            self._tell("accepted", result.ticket.sop_id, type)
        return result

    def _post_event(
        self,
        ticket_id: str,
        type: str,
        actor: str,
        data: dict[str, Any] | None,
        *,
        user: str | None,
        occurred_at: datetime | None,
        idempotency_key: str | None,
        if_match: int | None,
    ) -> PostResult:
        _check_dict(data or {}, "data")
        if type in TIMER_EVENTS:
            raise InvalidData(
                f"{type!r} is the engine's own event: it happens when a time limit or timer "
                "falls due, and cannot be posted",
                errors={"type": ["the engine's own event; it cannot be posted"]},
            )
        digest = _request_hash(
            {"type": type, "actor": actor, "data": data or {}, "occurred_at": occurred_at}
        )
        if idempotency_key is not None:
            found = self._replay(ticket_id, _check_key(idempotency_key), digest)
            if found is not None:
                return found
        event = Event(type, actor, dict(data or {}), occurred_at, user)
        try:
            return self._post_or_retry(ticket_id, event, digest, idempotency_key, if_match)
        except SopError:
            if idempotency_key is None:
                raise
            # A concurrent request with this key may have won while this one decided: the
            # event it applied moved the ticket on, so this copy was refused (not allowed at
            # the new step, If-Match no longer current). Its answer is the answer; a refusal
            # stands only when no request holds the key.
            found = self._replay(ticket_id, idempotency_key, digest)
            if found is None:
                raise
            return found

    def _tell(self, what: str, *labels: str) -> None:
        """Each listener hears it; a listener's failure is logged, never the caller's."""
        for listener in self.listeners:
            try:
                getattr(listener, what)(*labels)
            except Exception:
                log.exception("event listener %r failed", listener)

    def _labels(self, ticket_id: str, type: str, exc: SopError) -> tuple[str, str]:
        """The refused event's SOP (the ticket's, read again: a refusal may come before or
        after the ticket was read) and its type, each `OTHER` when not the catalog's own."""
        if isinstance(exc, NotFound):
            return OTHER, OTHER
        try:
            with self.store.read() as tx:
                stored = tx.ticket(ticket_id)
        except Exception:  # the refusal is the answer; its labels are the best we can do
            stored = None
        if stored is None or stored.ticket.sop_id not in self.catalog.specs:
            return OTHER, OTHER
        sop_id = stored.ticket.sop_id
        known = {
            e.name
            for spec in self.catalog.specs[sop_id].values()
            for step in spec.ticket_steps
            for e in step.events
        }
        return sop_id, type if type in known or type in TIMER_EVENTS else OTHER

    def _post_or_retry(
        self,
        ticket_id: str,
        event: Event,
        digest: str,
        idempotency_key: str | None,
        if_match: int | None,
    ) -> PostResult:
        """`_post`, decided again under the ticket's lock if another write won the race."""
        try:
            return self._post(ticket_id, event, digest, idempotency_key, if_match, locked=False)
        except StaleVersion as exc:
            if if_match is not None:
                raise _stale(exc, if_match) from None
            log.debug("ticket %s changed under event %s; deciding it again", ticket_id, event.type)
        except KeyTaken:
            return self._replay_or_fail(ticket_id, idempotency_key, digest)
        time.sleep(random.uniform(0, 0.002))
        try:
            return self._post(ticket_id, event, digest, idempotency_key, if_match, locked=True)
        except StaleVersion as exc:  # only if the row lock did not hold: say so, drop nothing
            raise _stale(exc) from None
        except KeyTaken:
            return self._replay_or_fail(ticket_id, idempotency_key, digest)

    def _post(
        self,
        ticket_id: str,
        event: Event,
        digest: str,
        key: str | None,
        if_match: int | None,
        *,
        locked: bool,
    ) -> PostResult:
        """Decide `event` on the ticket and write it. `locked`: read under the ticket's lock.

        Unlocked, the write is conditional on the version read. Where writers run side by side
        (PostgreSQL) the read shares the write's transaction (it locks nothing until the
        UPDATE, and saves a round of connection checkout, BEGIN and COMMIT); where a write
        transaction excludes every other writer (SQLite) the ticket is read and decided
        outside it, so deciding does not hold the database's write lock.
        """
        if locked or self.store.concurrent_writers:
            with self.store.write() as tx:
                stored = self._load(tx, ticket_id, lock=locked)
                rev, outcome, idem = self._decide(stored, event, digest, key, if_match, tx)
                saved = self._save(
                    tx, rev.spec, outcome, stored.ticket.version, idem, previous=stored
                )
        else:
            with self.store.read() as tx:
                stored = self._load(tx, ticket_id)
            rev, outcome, idem = self._decide(stored, event, digest, key, if_match)
            with self.store.write() as tx:
                saved = self._save(
                    tx, rev.spec, outcome, stored.ticket.version, idem, previous=stored
                )
        return PostResult(self.record(rev, saved, stored.external_ref), outcome.log)

    def _decide(
        self,
        stored: StoredTicket,
        event: Event,
        digest: str,
        key: str | None,
        if_match: int | None,
        tx: Tx | None = None,
    ) -> tuple[CompiledRevision, Outcome, Idempotency | None]:
        ticket = stored.ticket
        if if_match is not None and ticket.version != if_match:
            raise VersionMismatch(ticket.id, ticket.version, if_match)
        now = self.clock.now()
        _check_time(event.occurred_at, now, not_before=stored.last_at)
        rev = self.revision_for(ticket, tx)
        outcome = _bump(core.apply(rev, ticket, event, now), ticket.version)
        return rev, outcome, self._idempotency(ticket.id, key, digest, outcome)

    # -- reads ------------------------------------------------------------------------------------

    def get_ticket(self, ticket_id: str) -> TicketRecord:
        """The ticket with every step run it finished, and its references."""
        with self.store.read() as tx:
            stored = self._load(tx, ticket_id)
            (ticket,) = tx.with_history([stored.ticket])
            refs = tuple(tx.refs_of(stored.ticket.id))
        record = self.record(self.revision_for(ticket), ticket, stored.external_ref)
        return replace(record, refs=refs)

    def ticket_by_ref(self, source: str, ref: str) -> TicketRecord:
        (pair,) = check_refs([(source, ref)], "ref")
        with self.store.read() as tx:
            ticket_id = owner(tx, [pair])
        if ticket_id is None:
            raise NotFound(f"no ticket holds the reference {source}/{ref}", source=source, ref=ref)
        return self.get_ticket(ticket_id)

    def add_ref(self, ticket_id: str, source: str, ref: str) -> tuple[TicketRecord, bool]:
        """Give the ticket another system's reference; False when it held it already.
        Conflict when another ticket holds it."""
        pair = check_refs([(source, ref)], "ref")
        try:
            with self.store.write() as tx:
                self._load(tx, ticket_id)
                tx.insert_refs(ticket_id, pair, self.clock.now())
            added = True
        except RefTaken as taken:
            if taken.owner != ticket_id:
                raise Conflict(
                    f"another ticket holds the reference {source}/{ref}", source=source, ref=ref
                ) from None
            added = False
        return self.get_ticket(ticket_id), added

    def list_tickets(
        self,
        *,
        sop_id: str | None = None,
        state: str | None = None,
        status: str | None = None,
        scope: dict[str, str] | None = None,
        overdue: bool | None = None,
        open: bool | None = None,
        limit: int = 50,
        cursor: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
        history: bool = False,
    ) -> Page[TicketRecord]:
        """Newest first. `scope`: scope field -> value (e.g. what a scoped actor may see);
        `open`: whether the ticket is still in the SOP (`Ticket.is_open`); `created_from`,
        `created_to`: received within them (both included); `history`: each ticket with every
        step run it finished (`Tx.with_history`), else only its record (what deciding reads)."""
        limit = check_limit(limit, 500)
        with self.store.read() as tx:
            found = tx.list_tickets(
                now=self.clock.now(),
                sop_id=sop_id,
                state=state,
                status=status,
                scope=scope,
                overdue=overdue,
                open=open,
                limit=limit,
                before=cursor or None,
                created_from=created_from,
                created_to=created_to,
            )
            if history:
                whole = tx.with_history(t for t, _ in found)
                found = [(t, ref) for t, (_, ref) in zip(whole, found, strict=True)]
        items = [self.record(self.revision_for(t), t, ref) for t, ref in found]
        return Page(items, items[-1].id if len(items) == limit else None)

    def timeline(self, ticket_id: str) -> list[dict[str, Any]]:
        with self.store.read() as tx:
            self._load_version(tx, ticket_id)
            return tx.timeline(ticket_id)

    def notifications(
        self,
        *,
        after: int = 0,
        limit: int = 100,
        to: str | None = None,
        scope: dict[str, str] | None = None,
        ticket_id: str | None = None,
        status: str | None = None,
        channel: str | None = None,
    ) -> Page[dict[str, Any]]:
        """The outbox in order; `next_cursor` is the `after` of the next call (poll with it).
        Filters, each optional: the recipient actor (`to`), the scope (field -> value) the
        note is addressed to, its ticket, its delivery `status`, its `channel`."""
        limit = check_limit(limit, 1000)
        start = check_cursor(after)
        with self.store.read() as tx:
            items = tx.outbox_feed(
                after=start,
                limit=limit,
                to=to,
                scope=scope,
                ticket_id=ticket_id,
                status=status,
                channel=channel,
            )
        return Page(items, items[-1]["cursor"] if items else start)

    # -- deadlines --------------------------------------------------------------------------------

    def sweep(self, now: datetime | None = None, limit: int = 500) -> int:
        """Apply every deadline due by `now` (default: the clock's time, held while this runs:
        `Clock.held`) on at most `limit` tickets; returns events applied. Tickets are swept
        `SWEEP_GROUP` to a transaction, each in a savepoint of its own (at most
        `MAX_DUE_PER_TICKET` events): one ticket's failure undoes only its own work. Once
        `stopping` is set, no further ticket begins; the transaction under way commits what
        it holds, and what is left stays due for the next sweep."""
        if now is None:
            with self.clock.held() as held:
                return self.sweep(held, limit)
        with self._sweeping():
            if self.stopping.is_set():
                return 0
            with self.store.read() as tx:
                ticket_ids = tx.due_ticket_ids(now, limit)
            applied = done = 0
            while done < len(ticket_ids) and not self.stopping.is_set():
                with self.store.write() as tx:
                    for ticket_id in ticket_ids[done : done + SWEEP_GROUP]:
                        if self.stopping.is_set():
                            break
                        applied += self._sweep_ticket(tx, ticket_id, now)
                        done += 1
            if (left := len(ticket_ids) - done) > 0:
                log.info("stopping: sweep ended with %d ticket(s) still due", left)
            return applied

    def stop(self, grace: float = 5.0) -> bool:
        """Stop sweeping: a sweep under way ends after its batch (a committed transaction) and
        none begins; waits up to `grace` seconds for them. False if one was still running."""
        self.stopping.set()
        with self._idle:
            return self._idle.wait_for(lambda: self._sweeps == 0, grace)

    @contextmanager
    def _sweeping(self) -> Iterator[None]:
        with self._idle:
            self._sweeps += 1
        try:
            yield
        finally:
            with self._idle:
                self._sweeps -= 1
                self._idle.notify_all()

    def _sweep_ticket(self, tx: Tx, ticket_id: str, now: datetime) -> int:
        """One ticket's due events, in a savepoint of `tx`: on failure only they are undone."""
        locked: list[int] = []
        try:
            with savepoint(tx.conn, "sweep_ticket"):
                locked = tx.lock_due(ticket_id, now)
                if not locked:  # another worker has them, or they were already applied
                    return 0
                stored = self._load(tx, ticket_id)
                rev = self.revision_for(stored.ticket, tx)
                outcome, applied = _apply_due(rev, stored.ticket, now)
                if outcome is None:
                    log.warning("ticket %s: deadlines due but the core applies none", ticket_id)
                    tx.mark_checked(locked, now)
                    return 0
                self._save(tx, rev.spec, outcome, stored.ticket.version, None, previous=stored)
                return applied
        except StaleVersion:
            return 0  # an event won the race; the next sweep decides on the fresh ticket
        except StoreUnavailable:
            raise  # not this ticket's fault: the pass stops, the next one tries again
        except DBAPIError as exc:
            if refuses_work(exc):
                raise  # as StoreUnavailable from the transaction (Store.write)
            log.exception("ticket %s: sweep failed; it is tried again next sweep", ticket_id)
            return 0
        except Exception as exc:  # one bad ticket must not stop the sweep
            level = logging.ERROR if isinstance(exc, SopError) else logging.CRITICAL
            log.log(level, "ticket %s: cannot apply due deadlines: %s", ticket_id, exc)
            tx.mark_checked(locked, now)
            return 0

    # -- revisions --------------------------------------------------------------------------------

    def revision_for(self, ticket: Ticket, tx: Tx | None = None) -> CompiledRevision:
        """The exact revision (by content hash) a ticket is pinned to, compiled; `tx`: read its
        stored text in that transaction (when it is not loaded) instead of a new one."""
        return self._specs.get(ticket, tx)

    def compiled(self, spec: Spec) -> CompiledRevision:
        """A loaded revision (e.g. the catalog's one in force) as the core runs it."""
        return self._specs.compiled(spec)

    def use_catalog(self, catalog: Catalog) -> None:
        """Govern new tickets by `catalog` from now on (hot reload). Revisions loaded before stay
        known by hash, and the new ones' texts are stored before any ticket can be pinned to
        them; the swap itself is one reference assignment, so a request sees either catalog."""
        self._specs.add(catalog)
        self._keep_revision_texts()
        self.catalog = catalog

    def _keep_revision_texts(self) -> None:
        with self.store.read() as tx:
            missing = [
                r.spec for r in self._specs.by_hash.values() if not tx.has_revision(r.content_hash)
            ]
        for spec in missing:
            texts = texts_of(spec)
            if texts is None:
                continue
            with self.store.write() as tx:
                tx.save_revision(
                    texts.spec_hash, texts.sop_id, texts.revision, texts.text, texts.rules
                )

    # -- helpers ----------------------------------------------------------------------------------

    def _load(self, tx: Tx, ticket_id: str, *, lock: bool = False) -> StoredTicket:
        stored = tx.ticket(str(ticket_id), for_update=lock)
        if stored is None:
            raise NotFound(f"no ticket {ticket_id!r}", ticket_id=ticket_id)
        return stored

    def _load_version(self, tx: Tx, ticket_id: str) -> int:
        version = tx.ticket_version(str(ticket_id))
        if version is None:
            raise NotFound(f"no ticket {ticket_id!r}", ticket_id=ticket_id)
        return version

    def _save(
        self,
        tx: Tx,
        spec: Spec,
        outcome: Outcome,
        expected: int | None,
        idem: Idempotency | None,
        external_ref: str | None = None,
        *,
        previous: StoredTicket | None = None,
    ) -> Ticket:
        """`previous`: the ticket as read at version `expected` (lets the store skip what it
        already knows: where the log's chain ends, scopes that did not change)."""
        outcome = mask_notifications(tx, spec, outcome)
        scopes = ticket_scopes(spec, outcome.ticket)
        saved = tx.save(
            outcome,
            expected_version=expected,
            scopes=scopes,
            scope_fields={a.id: a.scope_field for a in spec.actors if a.scope_field},
            external_ref=external_ref,
            idempotency=idem,
            previous=previous,
            previous_scopes=None if previous is None else ticket_scopes(spec, previous.ticket),
        )
        handlers.run(tx, spec, saved, outcome.log, scopes)  # the read models, in this tx
        exports = self.catalog.integrations_of(spec.sop_id).exports
        if exports:  # a reference field the event filled is held with it (engine.app.exports)
            before = {} if previous is None else previous.ticket.fields
            given = references_given(exports.values(), before, saved.fields)
            if given:
                hold_references(tx, saved.id, given, self.clock.now())
        return saved

    def maskers(self, records: Iterable[TicketRecord]) -> dict[str, Masker]:
        """Per ticket (by id), what hides its personal data from a reader without access to it:
        every value its personal fields have had, found in its log (`ticket_masker`)."""
        records = list(records)
        keys = {key for r in records for key in r.spec.personal_fields}
        with self.store.read() as tx:
            logged = logged_values(tx, [r.id for r in records], keys)
        return {r.id: ticket_masker(r.spec, [r.ticket.fields, *logged[r.id]]) for r in records}

    def record(
        self, rev: CompiledRevision, ticket: Ticket, external_ref: str | None
    ) -> TicketRecord:
        return TicketRecord(
            ticket=ticket,
            spec=rev.spec,
            allowed_events=tuple(core.allowed_events(rev, ticket)),
            deadlines=tuple(core.pending_deadlines(ticket)),
            external_ref=external_ref,
        )

    def _idempotency(
        self, scope: str, key: str | None, digest: str, outcome: Outcome
    ) -> Idempotency | None:
        if key is None:
            return None
        response = {
            "ticket": codec.encode(outcome.ticket),
            "log": [codec.encode(e) for e in outcome.log],
        }
        return Idempotency(scope, key, digest, response)

    def _replay(self, scope: str, key: str, digest: str) -> PostResult | None:
        with self.store.read() as tx:
            found = tx.idempotency(scope, key)
            ref = None
            if found is not None:
                stored = tx.ticket(found.response["ticket"]["id"])
                ref = stored.external_ref if stored else None
        if found is None:
            return None
        if found.request_hash != digest:
            raise Conflict(
                f"idempotency key {key!r} was already used for a different request; "
                "use a new key for a new request",
                idempotency_key=key,
            )
        ticket = codec.decode(Ticket, found.response["ticket"])
        entries = tuple(codec.decode(LogEntry, e) for e in found.response["log"])
        return PostResult(self.record(self.revision_for(ticket), ticket, ref), entries, True)

    def _replay_shared(self, key: str, digest: str, user: str | None) -> PostResult | None:
        """An opening stored before creation keys were the caller's own (all callers shared
        `CREATE_SCOPE`): replayed for the same caller and request, so that a retry across the
        upgrade opens no second ticket; anyone else's is not theirs to see, or to collide with."""
        if user is None:
            return None  # CREATE_SCOPE is this caller's own scope: `_replay` looked already
        try:
            found = self._replay(CREATE_SCOPE, key, digest)
        except Conflict:
            return None  # a different request under that shared key: not this caller's
        if found is None or any(entry.user != user for entry in found.log[:1]):
            return None
        return found

    def _replay_or_fail(self, scope: str, key: str | None, digest: str) -> PostResult:
        """The answer of the request that stored `key` first (this one found it taken): the
        same request replays it, another is a Conflict. Its record is readable once the key
        is seen taken (PostgreSQL's unique index waits for the winner's commit, SQLite's write
        lock serializes them); the bounded wait is for a backend where it is not yet."""
        deadline = time.monotonic() + KEY_WAIT
        pause = 0.005
        while True:
            found = self._replay(scope, key or "", digest)
            if found is not None:
                return found
            if time.monotonic() >= deadline:
                raise Conflict(
                    f"idempotency key {key!r} is being used by a concurrent request that has "
                    "not finished; retry with the same key to get its answer",
                    idempotency_key=key,
                )
            time.sleep(pause)
            pause = min(pause * 2, 0.1)


def creation_scope(user: str | None) -> str:
    """The idempotency scope of the tickets `user` opens (`CREATE_SCOPE` without a user)."""
    return CREATE_SCOPE if user is None else f"{CREATE_SCOPE}:{user}"


def mask_notifications(tx: Tx, spec: Spec, outcome: Outcome) -> Outcome:
    """The core masked the values the ticket has now in what it told; a value the log holds
    from before (a name corrected since: read in `tx`, before the outcome's entries are
    written) is masked here, before the text is stored and sent. A rule's `include_personal`
    notification is left as the rule wrote it. Every write of an outcome calls it: the
    service's, and `sop audit verify`'s replay (engine.app.audit.rebuild)."""
    notes = outcome.notifications
    if not spec.personal_fields or all(n.include_personal for n in notes):
        return outcome
    ticket = outcome.ticket
    logged = values_of(tx, ticket.id, spec.personal_fields)
    masker = ticket_masker(spec, [ticket.fields, *logged, *(e.data for e in outcome.log)])
    notes = tuple(
        n if n.include_personal else replace(n, text=masker.text(n.text, patterns=False))
        for n in notes
    )
    return replace(outcome, notifications=notes)


def ticket_scopes(spec: Spec, ticket: Ticket) -> dict[str, str]:
    """The values of the SOP's scope fields on this ticket (scope field -> value)."""
    scopes: dict[str, str] = {}
    for actor in spec.actors:
        name = actor.scope_field
        value = ticket.fields.get(name) if name else None
        if name and value is not None and value != "":
            scopes[name] = str(value)
    return scopes


def _apply_due(rev: CompiledRevision, ticket: Ticket, now: datetime) -> tuple[Outcome | None, int]:
    """Everything due by `now` as one Outcome to write in one transaction, and how many events
    it holds; None if nothing was due. A refused event refuses the whole catch-up."""
    caught = core.catch_up(rev, ticket, now, MAX_DUE_PER_TICKET)
    if caught.error is not None:
        raise caught.error
    if caught.capped:  # the rest stays due: the sweep's next batch goes on from here
        log.debug(
            "ticket %s: %d due events applied, more still due", ticket.id, len(caught.outcomes)
        )
    combined = caught.combined()
    if combined is None:
        return None, 0
    return _bump(combined, ticket.version), len(caught.outcomes)


def _bump(outcome: Outcome, read_version: int) -> Outcome:
    """A write always moves the version forward (the optimistic check relies on it)."""
    if outcome.ticket.version > read_version:
        return outcome
    return replace(outcome, ticket=replace(outcome.ticket, version=read_version + 1))


def _stale(exc: StaleVersion, if_match: int | None = None) -> SopError:
    """What a lost race means to the caller: the ticket is gone, the version it named is no
    longer current (`if_match`), or another write won even under the ticket's lock."""
    if exc.current is None:
        return NotFound(f"no ticket {exc.ticket_id!r}", ticket_id=exc.ticket_id)
    if if_match is not None:
        return VersionMismatch(exc.ticket_id, exc.current, if_match)
    return Conflict(
        f"ticket {exc.ticket_id} changed (now version {exc.current}); read it again and retry",
        ticket_id=exc.ticket_id,
        current_version=exc.current,
    )


def _check_time(
    when: datetime | None, now: datetime, *, not_before: datetime | None = None
) -> datetime | None:
    """The one check of a caller's `occurred_at`: a time with its offset, that UTC can hold,
    not after `now` (give or take CLOCK_SKEW) and, for an event, not before the ticket's last
    entry (`not_before`): a ticket's log reads in the order things happened."""
    if when is None:
        return None
    if not isinstance(when, datetime) or when.tzinfo is None or when.utcoffset() is None:
        raise InvalidData(
            "occurred_at must be a date and time with a time zone, e.g. 2024-05-01T09:30:00+07:00",
            errors={"occurred_at": ["give a time zone offset"]},
        )
    try:
        at = when.astimezone(UTC)
    except OverflowError:
        raise InvalidData(
            f"occurred_at {when.isoformat()} is outside the years 0001-9999 in UTC",
            errors={"occurred_at": ["outside the years 0001-9999 in UTC"]},
        ) from None
    if at > now and at - now > CLOCK_SKEW:
        raise InvalidData(
            f"occurred_at {when.isoformat()} is in the future (now is {now.isoformat()})",
            errors={"occurred_at": ["must not be in the future"]},
        )
    if not_before is not None and at < not_before:
        raise InvalidData(
            f"occurred_at {when.isoformat()} is before the ticket's last entry "
            f"({not_before.isoformat()}); an event is recorded at or after it",
            errors={"occurred_at": [f"must not be before {not_before.isoformat()}"]},
        )
    return when


def _check_dict(value: Any, name: str) -> None:
    if not isinstance(value, dict):
        raise InvalidData(
            f"{name} must be an object (a mapping of names to values)",
            errors={name: ["must be an object"]},
        )


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY_LENGTH:
        raise InvalidData(
            f"an idempotency key must be 1 to {MAX_KEY_LENGTH} characters",
            errors={"idempotency_key": [f"1 to {MAX_KEY_LENGTH} characters"]},
        )
    return key


def check_cursor(after: int | str | None) -> int:
    """A feed's `after`: a `next_cursor` it gave (the notifications', the changes')."""
    try:
        value = int(after or 0)
    except (TypeError, ValueError):
        value = -1
    if value < 0:
        raise InvalidData(
            f"the cursor `after` must be a whole number >= 0 (a next_cursor), not {after!r}",
            errors={"after": ["a whole number >= 0"]},
        )
    return value


def check_limit(limit: int, most: int) -> int:
    if not isinstance(limit, int) or not 0 < limit <= most:
        raise InvalidData(
            f"limit must be a whole number from 1 to {most}",
            errors={"limit": [f"1 to {most}"]},
        )
    return limit


def _request_hash(request: dict[str, Any]) -> str:
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=_json_default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | set | frozenset):
        return sorted(value, key=str) if not isinstance(value, tuple) else list(value)
    return str(value)
