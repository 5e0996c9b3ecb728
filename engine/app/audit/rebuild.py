"""Replay each ticket's log as it was written, and compare the store's rows with the replay's.

    rebuild = Rebuilder(store, conn)            conn: the snapshot `verify_store` reads in
    rebuild.check_revisions() -> list[Problem]  every stored revision text against its hash
    rebuild.check(page) -> list[Problem]        a page of (ticket id, its chain-checked links)
    rebuild.unreplayed() -> list[Problem]       tickets left out: their revision cannot be rebuilt
    rebuild.reading(conn)                       go on in another transaction (a worker's next range)
    rebuild.left_out() / .add_left_out(counts)  those counts, to add up across processes
    rebuild.close()

The log is the record; a ticket's row, its scope rows, deadlines, step_runs rows and outbox
notifications are derived from it, each by the code that wrote it. So each log is replayed the
way it was written:

- its entries are split into the writes that stored them (one `recorded` time per write), and
  each write into the core's calls that made it: an entry no rule caused starts a call (the
  creation, a posted event, a deadline or timer the sweeper applied, a migration), and the
  entries its rules fired follow it;
- each call is decided again (`engine.core.new_ticket` / `apply`, or
  `engine.app.revisions.migrate.migrated` for a "migrated" entry) with the entry's own event,
  actor, user, data and time, on the exact revision the entry names, rebuilt from the store's
  own text, whose hash is checked (`SpecResolver.revision`); it must give the stored entries
  again, equal in every part;
- each write is saved into a scratch in-memory store by `Tx.save` and the read models'
  handlers, as the service and the migration save it;

then the scratch rows are compared with the stored ones (`engine.app.audit.rows_check`). A log
that does not replay is reported at the first entry that does not (kind `replay`), and that
ticket's rows are not compared: they would differ everywhere after it.

The replay runs today's engine: after an upgrade that changed what the engine decides or
writes for the same log, tickets written before it show the change as differences (docs/audit.md).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import fields
from itertools import zip_longest

from sqlalchemy import Connection, delete, select

from engine import core
from engine.app import handlers
from engine.app.audit.chain_check import Link, Problem
from engine.app.audit.rows_check import compare_rows, shown
from engine.app.revisions.migrate import migrated
from engine.app.revisions.stored import CREATED, MIGRATED
from engine.app.service import mask_notifications, ticket_scopes
from engine.core.apply import TIMER_EVENTS
from engine.core.model import Event, LogEntry, Outcome, Ticket
from engine.errors import EventNotAllowed, SopError, StoredRevisionMismatch, UnknownRevision
from engine.spec.model import Spec
from engine.store import Store, StoredTicket, Tx, codec
from engine.store.revisions import SpecResolver
from engine.store.tables import Base, RevisionRow

__all__ = ["Rebuilder"]

SCRATCH = "sqlite://"  # an in-memory store, one per verify


class Rebuilder:
    def __init__(self, store: Store, conn: Connection) -> None:
        self.tx = Tx(conn)
        self.resolver = SpecResolver((), store)
        self.scratch = Store.open(SCRATCH)
        self.replayed = 0  # tickets replayed whole and compared
        self.revisions = 0  # stored revision texts checked
        # Revisions that cannot be rebuilt: content hash -> (why, tickets left out for it).
        self._failed: dict[str, tuple[str, int]] = {}

    def close(self) -> None:
        self.scratch.close()

    def reading(self, conn: Connection) -> None:
        """Read from `conn` from now on (the revisions rebuilt so far are kept)."""
        self.tx = Tx(conn)

    def left_out(self) -> dict[str, tuple[str, int]]:
        """Revisions that cannot be rebuilt: content hash -> (why, tickets left out for it)."""
        return dict(self._failed)

    def add_left_out(self, counts: dict[str, tuple[str, int]]) -> None:
        """Add what another process found (its tickets come after those walked here so far:
        a revision's first reason stays)."""
        for spec_hash, (why, tickets) in counts.items():
            first, had = self._failed.get(spec_hash, (why, 0))
            self._failed[spec_hash] = (first, had + tickets)

    # -- stored revisions ------------------------------------------------------------------------

    def check_revisions(self) -> list[Problem]:
        """Each stored revision text must rebuild the revision its row names, by content hash."""
        problems: list[Problem] = []
        rows = self.tx.conn.execute(
            select(RevisionRow.spec_hash, RevisionRow.sop_id, RevisionRow.revision).order_by(
                RevisionRow.sop_id, RevisionRow.revision, RevisionRow.spec_hash
            )
        )
        for row in rows:
            self.revisions += 1
            try:
                spec = self.resolver.revision(row.sop_id, row.revision, row.spec_hash, self.tx).spec
            except StoredRevisionMismatch as exc:
                self._failed[row.spec_hash] = (exc.message, 0)
                continue
            except SopError as exc:  # it loads, but does not compile (its rules)
                why = f"{row.sop_id}@{row.revision} (hash {row.spec_hash[:12]}): {exc.message}"
                self._failed[row.spec_hash] = (why, 0)
                continue
            named = (spec.sop_id, spec.revision)
            if named != (row.sop_id, row.revision):
                message = (
                    f"the row names {row.sop_id}@{row.revision}, but its text is "
                    f"{spec.sop_id}@{spec.revision}"
                )
                key = row.spec_hash[:12]
                problems.append(Problem("", None, "revision", message, table="revisions", key=key))
        return problems

    def unreplayed(self) -> list[Problem]:
        """One problem per revision that could not be rebuilt, with the tickets it left out."""
        out = []
        for spec_hash, (why, tickets) in sorted(self._failed.items()):
            left = f"; {tickets} ticket(s) on it were not replayed" if tickets else ""
            out.append(
                Problem("", None, "revision", why + left, table="revisions", key=spec_hash[:12])
            )
        return out

    # -- tickets ---------------------------------------------------------------------------------

    def check(self, page: Sequence[tuple[str, Sequence[Link]]]) -> list[Problem]:
        """Replay each ticket of `page` (their chains are intact) and compare their rows."""
        problems: list[Problem] = []
        done: list[str] = []
        personal: dict[str, Collection[str]] = {}
        with self.scratch.write() as scratch:
            for ticket_id, links in page:
                found = self._replay(scratch, ticket_id, links, personal)
                if found is None:
                    continue
                problems += found
                if not found:
                    done.append(ticket_id)
        with self.scratch.read() as scratch:
            problems += compare_rows(self.tx.conn, scratch.conn, done, personal)
        self.replayed += len(done)
        self._clear()
        return problems

    def _replay(
        self,
        scratch: Tx,
        ticket_id: str,
        links: Sequence[Link],
        personal: dict[str, Collection[str]],
    ) -> list[Problem] | None:
        """Problems of the log itself ([] when it replays); None when its revision cannot be
        rebuilt (counted for `unreplayed`)."""
        entries = [codec.decode(LogEntry, link.entry or {}) for link in links]
        ticket: Ticket | None = None
        before: tuple[StoredTicket, dict[str, str]] | None = None  # the last write, its scopes
        for write in _writes(links, entries):
            outcomes: list[Outcome] = []
            spec: Spec | None = None
            for call in _calls(write, entries):
                first = entries[call[0]]
                if first.spec_hash in self._failed:
                    self._left_out(first.spec_hash)
                    return None
                try:
                    spec, outcome = self._decide(ticket_id, ticket, first)
                except (StoredRevisionMismatch, UnknownRevision) as exc:
                    spec_hash = exc.details.get("spec_hash") or first.spec_hash
                    self._failed.setdefault(spec_hash, (exc.message, 0))
                    self._left_out(spec_hash)
                    return None
                except SopError as exc:
                    link = links[call[0]]
                    message = (
                        f"entry {link.seq} ({first.event!r}) does not replay on "
                        f"{first.sop_id}@{first.revision}: {exc.message}"
                    )
                    return [Problem(ticket_id, link.seq, "replay", message, first.version)]
                personal[ticket_id] = spec.personal_fields
                held = [entries[i] for i in call]
                differs = _compare_log(ticket_id, outcome.log, [links[i] for i in call], held, spec)
                if differs:
                    return differs
                outcomes.append(outcome)
                ticket = outcome.ticket
            if spec is None:
                continue
            end = links[write[-1]]
            before = _save(scratch, spec, outcomes, before, (end.seq, end.entry_hash or ""))
            ticket = before[0].ticket
        return []

    def _left_out(self, spec_hash: str) -> None:
        why, count = self._failed[spec_hash]
        self._failed[spec_hash] = (why, count + 1)

    def _decide(
        self, ticket_id: str, ticket: Ticket | None, entry: LogEntry
    ) -> tuple[Spec, Outcome]:
        """The core's decision of the call `entry` starts: (its revision, its Outcome)."""
        named = (entry.sop_id, entry.revision, entry.spec_hash, self.tx, ticket_id)
        if ticket is None:
            if entry.event != CREATED:
                raise EventNotAllowed("the log does not start with the ticket's creation")
            rev = self.resolver.revision(*named)
            actor = entry.actor or None
            made = core.new_ticket(
                rev, ticket_id, entry.data, entry.at, actor=actor, user=entry.user
            )
            return rev.spec, made
        if entry.event == MIGRATED and entry.caused_by is None:
            source = self.resolver.get(ticket, self.tx).spec
            target = self.resolver.revision(*named).spec
            data = entry.data
            moving = migrated(
                ticket,
                source,
                target,
                dict(data.get("map") or {}),
                str(data.get("deadline_policy")),
                entry.at,
                entry.user,
                str(data.get("from")),
            )
            if moving is None:
                raise EventNotAllowed(f"its step {ticket.state!r} has no mapping to {target.key}")
            return target, moving[1]
        rev = self.resolver.get(ticket, self.tx)
        event = Event(entry.event, entry.actor, dict(entry.data), entry.at, entry.user)
        return rev.spec, core.apply(rev, ticket, event, entry.at)

    def _clear(self) -> None:
        with self.scratch.write() as tx:
            for table in reversed(Base.metadata.sorted_tables):
                tx.conn.execute(delete(table))


def _writes(links: Sequence[Link], entries: Sequence[LogEntry]) -> Iterator[list[int]]:
    """The entries' indexes, grouped by the write that stored them: one `recorded` time per
    write, and a creation, posted event or migration always starts one of its own."""
    group: list[int] = []
    for i, link in enumerate(links):
        starts = entries[i].caused_by is None and entries[i].event not in TIMER_EVENTS
        if group and (starts or link.recorded != links[group[0]].recorded):
            yield group
            group = []
        group.append(i)
    if group:
        yield group


def _calls(write: Sequence[int], entries: Sequence[LogEntry]) -> Iterator[list[int]]:
    """A write's entries grouped by the core's call that made them (a caused entry follows)."""
    call: list[int] = []
    for i in write:
        if call and entries[i].caused_by is None:
            yield call
            call = []
        call.append(i)
    if call:
        yield call


def _save(
    scratch: Tx,
    spec: Spec,
    outcomes: Sequence[Outcome],
    before: tuple[StoredTicket, dict[str, str]] | None,
    end: tuple[int, str],
) -> tuple[StoredTicket, dict[str, str]]:
    """Save one write's outcomes into the scratch store as the service saves them. `before`:
    the ticket as the previous write left it (with the chain's end then) and its scopes, so the
    store need not read them back; `end`: where the chain ends after this write."""
    last = outcomes[-1]
    combined = Outcome(
        ticket=last.ticket,
        log=tuple(e for o in outcomes for e in o.log),
        notifications=tuple(n for o in outcomes for n in o.notifications),
        deadlines=last.deadlines,
    )
    combined = mask_notifications(scratch, spec, combined)  # with the log written so far
    scopes = ticket_scopes(spec, combined.ticket)
    saved = scratch.save(
        combined,
        expected_version=before[0].ticket.version if before is not None else None,
        scopes=scopes,
        scope_fields={a.id: a.scope_field for a in spec.actors if a.scope_field},
        previous=before[0] if before is not None else None,
        previous_scopes=before[1] if before is not None else None,
    )
    handlers.run(scratch, spec, saved, combined.log, scopes)
    return StoredTicket(saved, None, end), scopes


def _compare_log(
    ticket_id: str,
    made: Sequence[LogEntry],
    stored: Sequence[Link],
    entries: Sequence[LogEntry],
    spec: Spec,
) -> list[Problem]:
    """The entries a call gives against the stored ones (`entries`: decoded) it must give."""
    for entry, link, held in zip_longest(made, stored, entries):
        if link is None:
            after = stored[-1]
            message = (
                f"after entry {after.seq}, {spec.key} also gives {entry.event!r}, which the log "
                "does not hold"
            )
            return [Problem(ticket_id, after.seq, "replay", message, entry.version)]
        if entry is None:
            message = (
                f"entry {link.seq} ({held.event!r}) does not follow from the entry before it "
                f"on {spec.key}: its rules do not give it"
            )
            return [Problem(ticket_id, link.seq, "replay", message, held.version)]
        if entry != held:  # the stored one hashes right: equal records hash alike
            return [_differing_entry(ticket_id, link.seq, held, entry, spec)]
    return []


def _differing_entry(
    ticket_id: str, seq: int, held: LogEntry, made: LogEntry, spec: Spec
) -> Problem:
    keys = [f.name for f in fields(LogEntry) if getattr(held, f.name) != getattr(made, f.name)]
    key = keys[0] if keys else "entry"
    a, b = (codec.encode(e).get(key) for e in (held, made))
    a, b = shown(key, a, spec.personal_fields), shown(key, b, spec.personal_fields)
    message = (
        f"entry {seq} ({held.event!r}) is not what {spec.key} decides: its "
        f"{', '.join(keys) or 'content'} differ ({key}: the log holds {a}, the replay gives {b})"
    )
    return Problem(ticket_id, seq, "replay", message, held.version, "events", str(seq), key, a, b)
