"""The sign-off runs of a step run: which sign-off is current, when each is due, its deadline.

    enter(spec, step, run) -> StepRun              a step with sign-offs starts at the first
    current(run) -> SignOffRun | None              the sign-off waiting to be given
    advance(spec, step, run, at, event) -> StepRun the current one given; the next one starts
    leave(run, at, event) -> StepRun               the step left before its last sign-off
    shift_for_resume(cal, step, run, paused_at, at) -> StepRun   the pause moves its due time
    signoff_deadlines(ticket) -> [Deadline]        the current sign-off's time limit, pending

A sign-off's time limit is counted on its step's calendar from when it becomes the current
one (the step was entered, or the sign-off before it was given). Its deadline is a "sla"
deadline named `<step id>.<sign-off id>`, so the store's due-time index wakes the sweeper.
"""

from __future__ import annotations

from datetime import datetime

from engine.core.calendar import WorkCalendar
from engine.core.model import Deadline, SignOffRun, StepRun, Ticket, evolve
from engine.spec.model import Calendar, SignOff, Spec, Step


def run_name(step_id: str, signoff_id: str) -> str:
    """The name of a sign-off's deadline and of its runs in reports: `approve.kasi`."""
    return f"{step_id}.{signoff_id}"


def run_step(name: str) -> str:
    """The step a time limit's deadline belongs to: `approve` for `approve` and `approve.kasi`
    (step ids are identifiers: they hold no dot)."""
    return name.split(".", 1)[0]


def _start(spec: Spec, step: Step, signoff: SignOff, at: datetime) -> SignOffRun:
    due = None
    if signoff.time_limit is not None:
        due = WorkCalendar.for_spec(spec.calendar(step.calendar)).add(at, signoff.time_limit)
    return SignOffRun(signoff=signoff.id, started=at, due=due)


def enter(spec: Spec, step: Step, run: StepRun) -> StepRun:
    if not step.signoffs:
        return run
    return evolve(run, signoffs=(_start(spec, step, step.signoffs[0], run.started),))


def current(run: StepRun | None) -> SignOffRun | None:
    if run is None or not run.signoffs or run.signoffs[-1].finished is not None:
        return None
    return run.signoffs[-1]


def _finish(sub: SignOffRun, at: datetime, event: str) -> SignOffRun:
    late = sub.breached_at is not None or (sub.due is not None and at > sub.due)
    return evolve(sub, finished=at, result="breached" if late else "met", by_event=event)


def advance(spec: Spec, step: Step, run: StepRun, at: datetime, event: str) -> StepRun:
    sub = current(run)
    assert sub is not None
    done = (*run.signoffs[:-1], _finish(sub, at, event))
    if len(done) < len(step.signoffs):
        done = (*done, _start(spec, step, step.signoffs[len(done)], at))
    return evolve(run, signoffs=done)


def leave(run: StepRun, at: datetime, event: str) -> StepRun:
    sub = current(run)
    if sub is None:
        return run
    return evolve(run, signoffs=(*run.signoffs[:-1], _finish(sub, at, event)))


def breach(run: StepRun) -> StepRun:
    sub = current(run)
    assert sub is not None and sub.due is not None
    return evolve(run, signoffs=(*run.signoffs[:-1], evolve(sub, breached_at=sub.due)))


def shift_for_resume(
    cal: Calendar, step: Step, run: StepRun, paused_at: datetime, at: datetime
) -> StepRun:
    """The current sign-off's clock stood still with its step's: its due time moves."""
    sub = current(run)
    if sub is None or sub.due is None or sub.breached_at is not None:
        return run
    limit = step.signoffs[len(run.signoffs) - 1].time_limit
    assert limit is not None
    due = WorkCalendar.for_spec(cal).shift_for_pause(sub.due, paused_at, at, limit.unit)
    return evolve(run, signoffs=(*run.signoffs[:-1], evolve(sub, due=due)))


def pending_signoff(run: StepRun | None) -> SignOffRun | None:
    """The current sign-off when its deadline is still to fire (its step's clock running)."""
    sub = current(run)
    if run is None or sub is None or sub.due is None or sub.breached_at is not None:
        return None
    return sub if run.paused_at is None else None


def signoff_deadlines(ticket: Ticket) -> list[Deadline]:
    run = ticket.active
    sub = pending_signoff(run)
    if run is None or sub is None or sub.due is None:
        return []
    return [Deadline(ticket.id, "sla", run_name(run.step, sub.signoff), sub.due)]
