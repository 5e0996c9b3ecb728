"""The read model behind the monev report: one `step_runs` row per visit of a ticket to a step.

    record_step_runs(tx, spec, ticket, log, scopes) -> None     a handler (engine.app.handlers)

Registered in engine.app.handlers, it runs in the transaction of every write of an event
(creation, a posted event, a sweep, a migration), so a row commits with the event that started
or finished its run, or not at all. Only the runs that event touched are (re)written: the ones
it finished, the one it started, and the active one (its pause and breach may have changed).
A finished row carries how long the step took in the step's own time-limit unit
(`WorkCalendar.elapsed`, so working days skip weekends and holidays), minus the time the step's
clock stood still:

- minutes, hours, calendar days: the paused seconds, converted;
- working days: each pause counted on the calendar, from when it started (kept on the row in
  `paused_at`) to when it ended (start + the paused seconds it added).

A step without a time limit is measured in hours. A step's sign-offs (engine.core.signoffs)
are runs of their own, each on the row after its step's run (or the sign-off before it),
named `<step id>.<sign-off id>` and measured in the sign-off's own unit, so the report shows
each sign-off's share within its limit under its step. Each row also holds `attempt` (the ticket's
n-th visit to that step: 2 and more are loops, e.g. a correction sent back to an earlier step)
and the ticket's current scope value (the scope field of the SOP's scoped actor), which is
updated on all its rows when an event changes that field, so a report per scope value counts a
ticket under the value it has now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, insert, or_, select, update

from engine.core.calendar import WorkCalendar
from engine.core.model import LogEntry, StepRun, Ticket
from engine.core.signoff_runs import run_name
from engine.spec.model import Duration, SignOff, Spec, Step
from engine.store import Tx
from engine.store.prepared import Prepared
from engine.store.tables import StepRunRow

__all__ = [
    "NO_LIMIT_UNIT",
    "record_step_runs",
    "report_scope_field",
    "run_target",
    "step_unit",
]

NO_LIMIT_UNIT = "hours"
_SECONDS = {"seconds": 1.0, "minutes": 60.0, "hours": 3600.0, "calendar_days": 86400.0}


# Built once (statement construction cost more than executing them); bound at execution.
_TOUCHED = (StepRunRow.ticket_id == bindparam("ticket_id"), StepRunRow.visit >= bindparam("first"))
_SELECT_OLD = select(
    StepRunRow.visit, StepRunRow.paused_at, StepRunRow.paused_seconds, StepRunRow.paused_amount
).where(*_TOUCHED)
_SELECT_NAMES = Prepared(
    select(StepRunRow.step)
    .where(StepRunRow.ticket_id == bindparam("ticket_id"))
    .order_by(StepRunRow.visit),
    ("ticket_id",),
)
_DELETE_FROM = Prepared(delete(StepRunRow).where(*_TOUCHED), ("ticket_id", "first"))
_INSERT = Prepared(
    insert(StepRunRow),
    (
        "ticket_id", "visit", "sop_id", "revision", "step", "no", "attempt", "scope_name",
        "scope_value", "started", "due", "finished", "result", "by_event", "breached", "unit",
        "elapsed", "paused_seconds", "paused_amount", "paused_at",
    ),
)  # fmt: skip
_RESCOPE = Prepared(  # the runs before this event, moved to the ticket's new scope value
    update(StepRunRow)
    .where(
        StepRunRow.ticket_id == bindparam("b_ticket_id"),
        or_(
            StepRunRow.scope_value.is_(None),
            StepRunRow.scope_value.is_distinct_from(bindparam("b_value")),
        ),
    )
    .values(scope_name=bindparam("b_name"), scope_value=bindparam("b_value")),
    ("b_ticket_id", "b_name", "b_value"),
)


def report_scope_field(spec: Spec) -> str | None:
    """The field reports group by: the scope field of the SOP's (first) scoped actor."""
    return next((a.scope_field for a in spec.actors if a.scope_field), None)


def run_target(spec: Spec, name: str) -> tuple[Step, SignOff | None]:
    """The step (and sign-off) a run's name denotes: `approve`, or `approve.kasi`; KeyError
    when `spec` has no such step or sign-off (a run of an older revision)."""
    step_id, _, signoff_id = name.partition(".")
    step = spec.step(step_id)
    if not signoff_id:
        return step, None
    signoff = next((s for s in step.signoffs if s.id == signoff_id), None)
    if signoff is None:
        raise KeyError(name)
    return step, signoff


def run_limit(spec: Spec, name: str) -> Duration | None:
    step, signoff = run_target(spec, name)
    return signoff.time_limit if signoff is not None else step.time_limit


def step_unit(spec: Spec, step_id: str) -> str:
    try:
        limit = run_limit(spec, step_id)
    except KeyError:
        return NO_LIMIT_UNIT
    return limit.unit if limit is not None else NO_LIMIT_UNIT


def _with_signoffs(runs: Sequence[StepRun]) -> list[StepRun]:
    """Each step run followed by its sign-offs' runs, as runs of their own."""
    out: list[StepRun] = []
    for run in runs:
        out.append(run)
        out.extend(
            StepRun(
                step=run_name(run.step, sub.signoff),
                no=run.no,
                started=sub.started,
                due=sub.due,
                finished=sub.finished,
                breached_at=sub.breached_at,
                result=sub.result,
                by_event=sub.by_event,
            )
            for sub in run.signoffs
        )
    return out


def record_step_runs(
    tx: Tx,
    spec: Spec,
    ticket: Ticket,
    log: Sequence[LogEntry],
    scopes: Mapping[str, str],
) -> None:
    """(Re)write the rows of the runs this event touched, in `tx`, the event's transaction."""
    conn = tx.conn
    field = report_scope_field(spec)
    scope_value = scopes.get(field) if field else None
    visits = [*ticket.history, *([ticket.active] if ticket.active else [])]
    touched = _first_touched(ticket, log)
    runs = _with_signoffs(visits)
    # The rows of the runs the ticket holds follow those of the runs it finished before
    # (`Ticket.runs_before`, not held): their names count the attempts.
    names = _earlier(conn, ticket.id, ticket.runs_before) if ticket.runs_before else []
    offset = len(names)
    names += [run.step for run in runs]
    held_first = touched + sum(len(run.signoffs) for run in visits[:touched])
    first = offset + held_first
    if held_first < len(runs):
        key = {"ticket_id": ticket.id, "first": first}
        old = {}
        if any(_needs_old(spec, run) for run in runs[held_first:]):
            old = {r.visit: r for r in conn.execute(_SELECT_OLD, key)}
        _DELETE_FROM.run(conn, [key])
        rows = [
            _row(spec, ticket, runs[i], offset + i, names, old.get(offset + i), field, scope_value)
            for i in range(held_first, len(runs))
        ]
        _INSERT.run(conn, rows)
    if field and any(field in entry.data for entry in log) and first > 0:
        _RESCOPE.run(conn, [{"b_ticket_id": ticket.id, "b_name": field, "b_value": scope_value}])


def _earlier(conn: Any, ticket_id: str, runs: int) -> list[str]:
    """The names of the rows of the ticket's first `runs` step runs (each with its
    sign-offs' rows, named `<step>.<sign-off>`: step ids hold no dot)."""
    names: list[str] = []
    for (name,) in _SELECT_NAMES.rows(conn, {"ticket_id": ticket_id}):
        if "." not in name:
            runs -= 1
            if runs < 0:
                break
        names.append(name)
    return names


def _first_touched(ticket: Ticket, log: Sequence[LogEntry]) -> int:
    """The index (in the held history + active) of the first run this event's entries
    touched."""
    finished = sum(1 for e in log if e.finished_step is not None)
    entered = sum(1 for e in log if e.entered_step is not None)
    done = len(ticket.history)
    active = 1 if ticket.active is not None else 0
    return max(0, min(done - finished, done + active - entered, done))


def _row(
    spec: Spec,
    ticket: Ticket,
    run: StepRun,
    visit: int,
    names: list[str],
    old: Any,
    field: str | None,
    scope_value: str | None,
) -> dict[str, Any]:
    unit = step_unit(spec, run.step)
    cal = _calendar(spec, run.step)
    paused_amount = _paused_amount(run, old, unit, cal)
    elapsed = None
    if run.finished is not None:
        office = _office(spec, run.step)
        elapsed = max(0.0, cal.elapsed(run.started, run.finished, unit, office) - paused_amount)
    return {
        "ticket_id": ticket.id,
        "visit": visit,
        "sop_id": ticket.sop_id,
        "revision": ticket.revision,
        "step": run.step,
        "no": run.no,
        "attempt": 1 + names[:visit].count(run.step),
        "scope_name": field,
        "scope_value": scope_value,
        "started": run.started,
        "due": run.due,
        "finished": run.finished,
        "result": run.result,
        "by_event": run.by_event,
        "breached": run.breached_at is not None,
        "unit": unit,
        "elapsed": elapsed,
        "paused_seconds": run.paused_seconds,
        "paused_amount": paused_amount,
        "paused_at": run.paused_at,
    }


def _office(spec: Spec, step_id: str) -> bool:
    """Whether the step's limit counts office time (its runs are measured the same way)."""
    try:
        limit = spec.step(step_id).time_limit
    except KeyError:
        return False
    return limit is not None and limit.office


def _calendar(spec: Spec, step_id: str) -> WorkCalendar:
    try:
        cal_id = run_target(spec, step_id)[0].calendar
    except KeyError:
        cal_id = None
    return WorkCalendar.for_spec(spec.calendar(cal_id))


def _needs_old(spec: Spec, run: StepRun) -> bool:
    """Whether the run's row needs its stored pause bookkeeping (`_paused_amount`): only a
    working-day step that has been paused does."""
    return run.paused_seconds > 0 and step_unit(spec, run.step) not in _SECONDS


def _paused_amount(run: StepRun, old: Any, unit: str, cal: WorkCalendar) -> float:
    if unit in _SECONDS:
        return run.paused_seconds / _SECONDS[unit]
    amount = float(old.paused_amount) if old is not None else 0.0
    before = float(old.paused_seconds) if old is not None else 0.0
    added = run.paused_seconds - before
    if added <= 0:
        return amount
    paused_at: datetime | None = old.paused_at if old is not None else None
    if paused_at is None:  # paused and resumed within this one event: no start time kept
        return amount + added / 86400.0
    return amount + cal.elapsed(paused_at, paused_at + timedelta(seconds=added), unit)
