"""Step runs against their time limits: start (due time on the step's calendar), pause,
resume (the due time moves by the time the clock stood still, counted as the limit counts:
working days, office time or elapsed time), finish (met or breached)."""

from __future__ import annotations

from datetime import datetime

from engine.core.calendar import WorkCalendar
from engine.core.model import Deadline, StepRun, Ticket, evolve
from engine.core.signoff_runs import enter, shift_for_resume, signoff_deadlines
from engine.spec.model import Calendar, Duration, Spec, Step


def add_duration(
    spec: Spec, step_id: str | None, start: datetime, amount: float, unit: str, office: bool = False
) -> datetime:
    step = spec.step(step_id) if step_id else None
    cal = spec.calendar(step.calendar if step else None)
    limit = Duration(amount, unit, office=office)  # type: ignore[arg-type]
    return WorkCalendar.for_spec(cal).add(start, limit)


def start_run(spec: Spec, step: Step, at: datetime) -> StepRun:
    due = None
    if step.time_limit is not None:
        due = WorkCalendar.for_spec(spec.calendar(step.calendar)).add(at, step.time_limit)
    return enter(spec, step, StepRun(step=step.id, no=step.no, started=at, due=due))


def pause_run(run: StepRun, at: datetime) -> StepRun:
    return evolve(run, paused_at=at)


def resume_run(run: StepRun, at: datetime, cal: Calendar, step: Step) -> StepRun:
    assert run.paused_at is not None
    paused = max(0.0, (at - run.paused_at).total_seconds())
    due = run.due
    if due is not None and step.time_limit is not None and not run.breached_at:
        due = WorkCalendar.for_spec(cal).shift_for_pause(
            due, run.paused_at, at, step.time_limit.unit, step.time_limit.office
        )
    resumed = evolve(run, paused_at=None, paused_seconds=run.paused_seconds + paused, due=due)
    return shift_for_resume(cal, step, resumed, run.paused_at, at)


def finish_run(run: StepRun, at: datetime, by_event: str) -> StepRun:
    paused = run.paused_seconds
    if run.paused_at is not None:  # finished while paused: the pause ends now
        paused += max(0.0, (at - run.paused_at).total_seconds())
    late = run.breached_at is not None or (run.due is not None and at > run.due)
    return evolve(
        run,
        finished=at,
        paused_at=None,
        paused_seconds=paused,
        result="breached" if late else "met",
        by_event=by_event,
    )


def pending_deadlines(ticket: Ticket) -> list[Deadline]:
    out: list[Deadline] = []
    run = ticket.active
    if run and run.due and not run.breached_at and run.paused_at is None:
        out.append(Deadline(ticket.id, "sla", run.step, run.due))
    out.extend(signoff_deadlines(ticket))
    out.extend(Deadline(ticket.id, "timer", t.name, t.due) for t in ticket.timers)
    return sorted(out, key=lambda d: d.due)


def run_late(run: StepRun, now: datetime) -> bool:
    """Whether a step run is past its time limit at `now`: it finished late, its deadline has
    fired, or its due time has come while its clock runs. A paused run's due time moves when it
    resumes, so it is late only once its deadline fired. The API and the web pages show this
    answer; the store's overdue filter asks the same question in SQL."""
    if run.finished is not None:
        return run.result == "breached"
    if run.breached_at is not None:
        return True
    return run.due is not None and run.paused_at is None and run.due <= now


def ticket_overdue(ticket: Ticket, now: datetime) -> bool:
    """An open ticket whose current step is late at `now` (see `run_late`)."""
    return ticket.is_open and ticket.active is not None and run_late(ticket.active, now)


def deadline_overdue(deadline: Deadline, now: datetime) -> bool:
    """A deadline whose time has come by `now`, swept or not."""
    return deadline.due <= now
