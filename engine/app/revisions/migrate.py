"""Moving open tickets from one revision of an SOP to another (`sop migrate`).

    load_state_map(path) -> StateMap                 the map file; SopInvalid with located problems
    check_state_map(state_map, source, target)       its step ids against the two revisions
    plan_migration(store, specs, source, target, state_map, policy, now) -> Plan    reads only
    apply_migration(store, specs, plan, now, user) -> Applied    one transaction per ticket

The map file (YAML):

    state_map:
      old_step_id: new_step_id

A ticket in step X moves to `state_map[X]`, or, when X has no entry, to the step of the same id
in the target revision. A ticket whose step has neither is unmapped: `Plan.unmapped` names it,
and the caller refuses the whole migration unless told to skip those tickets.

Each moved ticket gets a new version and one log entry, event "migrated" with data
{"from": "sop@A", "to": "sop@B", "map": {...}, "deadline_policy": ...}, recorded against the
target revision, written with the ticket's new record, deadlines and scope values in the same
transaction (`Tx.save`, then the read models' handlers, as the service writes them). The
ticket's run in its current step keeps its start and pauses; its due time follows the deadline
policy (app.revisions.deadlines). Timers a rule started for the step follow it to the new step
id. Finished step runs stay as they were recorded. Before any ticket is written, the target's
texts are stored by hash, as the service does for every revision it loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from engine.app import handlers
from engine.app.revisions.deadlines import moved_run
from engine.app.revisions.stored import MIGRATED, SpecResolver, open_tickets
from engine.app.service import ticket_scopes
from engine.authoring.diff_time import limit_verdict
from engine.core import pending_deadlines
from engine.core.model import Event, LogEntry, Outcome, Ticket
from engine.errors import InvalidData, SopInvalid
from engine.spec.hints import suggest
from engine.spec.model import END, Spec, Step
from engine.spec.report import Report
from engine.spec.yaml_safe import read_yaml
from engine.store import StaleVersion, Store, Tx
from engine.store.revisions import texts_of

__all__ = [
    "Applied",
    "Move",
    "Plan",
    "StateMap",
    "Unmapped",
    "apply_migration",
    "check_state_map",
    "load_state_map",
    "migrated",
    "plan_migration",
]


@dataclass(frozen=True)
class Move:
    """What a migration does to one ticket."""

    ticket_id: str
    version: int  # the version it was read at
    from_state: str
    to_state: str
    from_no: int
    to_no: int
    old_due: datetime | None
    new_due: datetime | None
    note: str = ""
    after: Ticket | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Unmapped:
    ticket_id: str
    state: str
    no: int | None


@dataclass(frozen=True)
class Plan:
    source: str  # sop@A
    target: Spec
    state_map: dict[str, str]
    policy: str
    moves: tuple[Move, ...]
    unmapped: tuple[Unmapped, ...]


@dataclass(frozen=True)
class Applied:
    moved: tuple[Move, ...]
    skipped: tuple[tuple[str, str], ...]  # (ticket id, why): changed since the plan was made


# -- the map file ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StateMap:
    """A map file's `state_map`, and where each entry was written (for located problems)."""

    mapping: dict[str, str]
    file: str = ""
    report: Report | None = field(default=None, repr=False, compare=False)

    def located(self) -> Report:
        """A report whose problems point into the map file."""
        if self.report is None:
            return Report(self.file)
        return Report(self.file, values=self.report.values, keys=self.report.keys)


def load_state_map(path: str | Path) -> StateMap:
    doc = read_yaml(Path(path))
    report = doc.report
    if doc.data is None or report.problems:
        _raise(report)
    data = doc.data
    if not isinstance(data, dict) or "state_map" not in data:
        report.add("missing_key", (), "the map file needs a `state_map:` mapping")
        _raise(report)
    for key in data:
        if key != "state_map":
            report.add("unknown_key", (key,), f"unknown key {key!r}", "the only key is state_map")
    mapping = data["state_map"]
    if not isinstance(mapping, dict):
        report.add("bad_type", ("state_map",), "state_map must map old step ids to new step ids")
        _raise(report)
    for old, new in mapping.items():
        if not isinstance(new, str) or not new:
            report.add("bad_type", ("state_map", old), f"{old!r} must map to a step id (text)")
    if report.problems:
        _raise(report)
    return StateMap({str(k): str(v) for k, v in mapping.items()}, report.file, report)


def check_state_map(state_map: StateMap, source: Spec | None, target: Spec) -> None:
    """Every old id a step of `source` (when known), every new id a ticket step of `target`."""
    report = state_map.located()
    if source is not None:
        known = [s.id for s in source.ticket_steps]
        for old in state_map.mapping:
            if old not in known:
                line, col = report.locate(("state_map", old), at_key=True)
                report.add_at(
                    "unknown_step",
                    line,
                    col,
                    f"{old!r} is not a step of {source.key}",
                    suggest(old, known),
                    ("state_map", old),
                )
    targets = [s.id for s in target.ticket_steps]
    for old, new in state_map.mapping.items():
        if new not in targets:
            why = " (the end is not a step: open tickets move to a step)" if new == END else ""
            report.add(
                "unknown_step",
                ("state_map", old),
                f"{new!r} is not a step of {target.key}{why}",
                suggest(new, targets),
            )
    if report.problems:
        _raise(report)


def _raise(report: Report) -> None:
    raise SopInvalid(report.problems, f"{len(report.problems)} problem(s) in the map file")


# -- planning -------------------------------------------------------------------------------------


def plan_migration(
    store: Store,
    specs: SpecResolver,
    source: str,
    target: Spec,
    state_map: Mapping[str, str],
    policy: str,
    now: datetime,
) -> Plan:
    """What moving every open ticket pinned to `source` (sop@A) onto `target` would do."""
    sop_id, _, revision = source.partition("@")
    if sop_id != target.sop_id:
        raise InvalidData(f"cannot migrate {source} to another SOP's revision {target.key}")
    if revision == target.revision:
        raise InvalidData(f"{source} is the target revision itself; name two revisions")
    with store.read() as tx:
        tickets = open_tickets(tx, sop_id, revision)
    moves: list[Move] = []
    unmapped: list[Unmapped] = []
    for stored in tickets:
        spec = specs.get(stored.ticket).spec
        found = plan_ticket(stored.ticket, spec, target, state_map, policy, now)
        (moves if isinstance(found, Move) else unmapped).append(found)  # type: ignore[arg-type]
    return Plan(source, target, dict(state_map), policy, tuple(moves), tuple(unmapped))


def plan_ticket(
    ticket: Ticket,
    a: Spec,
    b: Spec,
    state_map: Mapping[str, str],
    policy: str,
    now: datetime,
) -> Move | Unmapped:
    old = _step(a, ticket.state)
    to = state_map.get(ticket.state) or ticket.state
    new = _step(b, to)
    if old is None or new is None or new.periodic is not None:
        return Unmapped(ticket.id, ticket.state, old.no if old else None)
    run, notes = ticket.active, []
    new_run = None
    if run is not None:
        new_run, note = moved_run(run, a, old, b, new, policy, now)
        notes += [_limit_note(old, new), note]
        if run.paused_at is not None and not any(e.resume for e in new.events):
            notes.append(f"its clock is stopped and step {new.no} has no event that restarts it")
    if ticket.status is not None and ticket.status not in {st.id for st in b.statuses}:
        notes.append(f"its status {ticket.status!r} is not a status of {b.revision}")
    timers = tuple(replace(t, step=new.id) if t.step == old.id else t for t in ticket.timers)
    after = replace(
        ticket,
        revision=b.revision,
        spec_hash=b.content_hash,
        state=new.id,
        active=new_run,
        timers=timers,
        version=ticket.version + 1,
    )
    return Move(
        ticket.id,
        ticket.version,
        old.id,
        new.id,
        old.no,
        new.no,
        run.due if run else None,
        new_run.due if new_run else None,
        "; ".join(n for n in notes if n),
        after,
    )


def _step(spec: Spec, step_id: str) -> Step | None:
    try:
        return spec.step(step_id)
    except KeyError:
        return None


def _limit_note(old: Step, new: Step) -> str:
    verdict = limit_verdict(old.time_limit, new.time_limit)
    if verdict == "unchanged":
        return ""
    before, after = old.time_limit or "no limit", new.time_limit or "no limit"
    return f"time limit {before} -> {after}, {verdict}"


# -- writing --------------------------------------------------------------------------------------


def apply_migration(
    store: Store, specs: SpecResolver, plan: Plan, now: datetime, user: str | None = None
) -> Applied:
    """Move the plan's tickets, each in its own transaction, deciding each again on the ticket
    as it is now (under its row lock); a ticket that closed or moved meanwhile is skipped."""
    _store_target_texts(store, plan.target)
    moved: list[Move] = []
    skipped: list[tuple[str, str]] = []
    for move in plan.moves:
        try:
            with store.write() as tx:
                done = _move_one(tx, specs, plan, move.ticket_id, now, user)
        except StaleVersion:
            done = "it changed while being moved; run the migration again for it"
        if isinstance(done, Move):
            moved.append(done)
        else:
            skipped.append((move.ticket_id, done))
    return Applied(tuple(moved), tuple(skipped))


def _move_one(
    tx: Tx, specs: SpecResolver, plan: Plan, ticket_id: str, now: datetime, user: str | None
) -> Move | str:
    stored = tx.ticket(ticket_id, for_update=True)
    if stored is None:
        return "it no longer exists"
    ticket = stored.ticket
    if not ticket.is_open or f"{ticket.sop_id}@{ticket.revision}" != plan.source:
        return f"it is no longer an open ticket of {plan.source}"
    b = plan.target
    moving = migrated(
        ticket, specs.get(ticket).spec, b, plan.state_map, plan.policy, now, user, plan.source
    )
    if moving is None:
        return f"its step {ticket.state!r} has no mapping now"
    found, outcome = moving
    scopes = ticket_scopes(b, outcome.ticket)
    saved = tx.save(
        outcome,
        expected_version=ticket.version,
        scopes=scopes,
        scope_fields={a.id: a.scope_field for a in b.actors if a.scope_field},
    )
    handlers.run(tx, b, saved, outcome.log, scopes)  # the read models, as the service's
    return found


def migrated(
    ticket: Ticket,
    a: Spec,
    b: Spec,
    state_map: Mapping[str, str],
    policy: str,
    now: datetime,
    user: str | None,
    source: str,
) -> tuple[Move, Outcome] | None:
    """What moving `ticket` from `a` (named `source`, sop@A) onto `b` writes: its new record,
    the "migrated" entry and its deadlines; None when its step has no mapping. Pure: the
    migration and `sop audit verify`'s replay of a "migrated" entry both decide by it."""
    found = plan_ticket(ticket, a, b, state_map, policy, now)
    if not isinstance(found, Move) or found.after is None:
        return None
    after = found.after
    data: dict[str, Any] = {
        "from": source,
        "to": b.key,
        "map": dict(state_map),
        "deadline_policy": policy,
    }
    entry = LogEntry.for_change(
        Event(MIGRATED, "", data, now, user),
        after,
        now,
        from_state=ticket.state,
        from_status=ticket.status,
        entered_step=after.active.no if after.active else None,
    )
    return found, Outcome(after, (entry,), (), tuple(pending_deadlines(after)))


def _store_target_texts(store: Store, target: Spec) -> None:
    with store.read() as tx:
        if tx.has_revision(target.content_hash):
            return
    texts = texts_of(target)
    if texts is None:
        raise InvalidData(
            f"cannot read the files of {target.key} back as they were loaded "
            f"({target.source_path}); they changed meanwhile: run the migration again"
        )
    with store.write() as tx:
        tx.save_revision(texts.spec_hash, texts.sop_id, texts.revision, texts.text, texts.rules)
