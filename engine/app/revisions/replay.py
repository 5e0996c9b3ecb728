"""What-if: re-run stored tickets against a candidate revision, writing nothing.

    replay_ticket(rev, history, as_of) -> Replayed           one ticket, pure (rev: compiled)
    replay_store(store, candidate, as_of, ...) -> ReplayReport   compiles the candidate once
    replay_store(..., processes=Processes(jobs, url))            split over worker processes

Only the inputs of a ticket's life are replayed (engine.app.revisions.stored.History): its creation
with the fields it was opened with, then each posted event with its own time, actor and data, in
log order. What the stored revision made of them is not copied: events its rules fired come
again only if the candidate's rules fire them, and deadline and timer events are regenerated on
the candidate's time limits and calendars by `engine.core.catch_up` (the sweeper's own), up to
just before each next posted event (a deadline due at the very moment of an event does not beat
it, as `finish_run` counts a step finished on its due time as met) and finally up to `as_of`.
Every timer event is applied at its own due time, as an ideal sweeper would; no notification
is written (`notify=False`: the report compares tickets, not messages). An event the
candidate refuses is recorded with the error's code and skipped; the ticket carries on without
it (a refused timer event stops that catch-up: the clock stands until the next posted event).

Tickets are independent: given `processes` (`engine.app.processes`) and enough tickets, the ids
are split into ranges, each replayed by a worker process that opens the store from its URL and
compiles the candidate itself; the ranges' tallies are merged in id order, which gives the
report of one process walking every ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from engine import core
from engine.app.processes import Chunk, Processes, chunks, run_chunks
from engine.app.revisions.replay_report import Refusal, ReplayReport, Tallies
from engine.app.revisions.stored import (
    CREATED,
    History,
    count_tickets,
    ticket_histories,
    ticket_ids,
)
from engine.core.model import Event, Ticket
from engine.core.revision import CompiledRevision
from engine.errors import SopError
from engine.spec.model import Spec
from engine.store import Store

__all__ = ["Replayed", "replay_store", "replay_ticket"]

MAX_DUE = 1000  # timer events applied between two posted events (as the service's sweeper)
JUST_BEFORE = timedelta(microseconds=1)


@dataclass(frozen=True)
class Replayed:
    ticket: Ticket | None  # None: the candidate refused to open it
    refusals: tuple[Refusal, ...] = ()


def replay_ticket(rev: CompiledRevision, history: History, as_of: datetime) -> Replayed:
    stored = history.ticket
    posted = history.posted
    if not posted or posted[0].event != CREATED:
        return Replayed(None, (Refusal(stored.id, 0, CREATED, "", "no_history", "no log"),))
    first = posted[0]
    try:
        opened = core.new_ticket(
            rev,
            stored.id,
            first.data,
            first.at,
            actor=first.actor or None,
            user=first.user,
            notify=False,
        )
    except SopError as exc:
        return Replayed(None, (Refusal(stored.id, first.seq, CREATED, "", exc.code, str(exc)),))
    ticket = opened.ticket
    refusals: list[Refusal] = []
    for item in posted[1:]:
        ticket = _fire_due(rev, ticket, item.at - JUST_BEFORE, refusals)
        event = Event(item.event, item.actor, item.data, item.at, item.user)
        try:
            ticket = core.apply(rev, ticket, event, item.at, notify=False).ticket
        except SopError as exc:
            refusals.append(
                Refusal(stored.id, item.seq, item.event, ticket.state, exc.code, exc.message)
            )
    ticket = _fire_due(rev, ticket, as_of, refusals)
    return Replayed(ticket, tuple(refusals))


def _fire_due(
    rev: CompiledRevision, ticket: Ticket, until: datetime, refusals: list[Refusal]
) -> Ticket:
    """Catch the ticket up to `until`; a timer event the candidate's own rules refuse is
    recorded (named `deadline:<step>` or `timer:<name>`) and stops the clock there."""
    caught = core.catch_up(rev, ticket, until, MAX_DUE, notify=False)
    event, exc, last = caught.refused, caught.error, caught.ticket
    if event is not None and exc is not None:
        name = f"{event.type}:{event.data.get('step') or event.data.get('name')}"
        refusals.append(Refusal(last.id, 0, name, last.state, exc.code, exc.message))
    return last


def replay_store(
    store: Store,
    candidate: Spec,
    as_of: datetime,
    *,
    revision: str | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 500,
    processes: Processes | None = None,
) -> ReplayReport:
    """Replay every stored ticket of the candidate's SOP (only those pinned to `revision`, when
    given) and tally the stored results against the candidate's. `progress(n)` is called with
    the number of tickets replayed since its last call (for a progress bar): after each ticket
    in-process, after each range of tickets a worker finished with `processes`."""
    report = ReplayReport(candidate, as_of)
    ids = ticket_ids(store, candidate.sop_id, revision) if processes is not None else []
    if processes is None or not processes.wanted(len(ids)):
        rev = core.compile_revision(candidate)
        _replay_range(rev, report, store, revision, (None, None), batch, progress)
        return report
    args = (processes, candidate, as_of, revision, batch)
    for part in run_chunks(processes, _Worker, args, _replay_chunk, chunks(ids), progress):
        report.merge(part)
    return report


def _replay_range(
    rev: CompiledRevision,
    report: ReplayReport,
    store: Store,
    revision: str | None,
    ids: tuple[str | None, str | None],
    batch: int,
    progress: Callable[[int], None] | None = None,
) -> None:
    histories = ticket_histories(store, rev.spec.sop_id, revision, batch, *ids)
    for history in histories:
        replayed = replay_ticket(rev, history, report.as_of)
        report.add(history.ticket, replayed.ticket, replayed.refusals)
        if progress is not None:
            progress(1)


class _Worker:
    """A worker process's own store and compiled candidate (`engine.app.processes`)."""

    def __init__(
        self,
        processes: Processes,
        candidate: Spec,
        as_of: datetime,
        revision: str | None,
        batch: int,
    ) -> None:
        self.store = processes.open_store()
        self.rev = core.compile_revision(candidate)
        self.as_of, self.revision, self.batch = as_of, revision, batch


def _replay_chunk(worker: _Worker, chunk: Chunk) -> Tallies:
    report = ReplayReport(worker.rev.spec, worker.as_of)
    ids = (chunk.after, chunk.upto)
    _replay_range(worker.rev, report, worker.store, worker.revision, ids, worker.batch)
    return report.tallies()


def tickets_to_replay(store: Store, candidate: Spec, revision: str | None = None) -> int:
    """How many tickets `replay_store` would replay (the length of its progress bar)."""
    return count_tickets(store, candidate.sop_id, revision)
