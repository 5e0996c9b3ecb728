"""Where the due time of a ticket's current step run goes when the ticket moves to another
revision (`sop migrate --deadline-policy`).

    moved_run(run, a, old, b, new, policy, now) -> tuple[StepRun, str]    the run on `new`, a note

keep       the due time stays as it was (a run with no due time gets `new`'s limit, as below).
recompute  `new`'s time limit, on its calendar, keeping the time already used: the amount of the
           limit's unit (core.calendar.WorkCalendar.elapsed) from the run's start to now, less
           the time its clock stood still; what is left of the new limit runs from now. (With no
           pause that is exactly the new limit from the run's start, computed as such.) A run
           whose clock is stopped keeps counting from the moment it stopped, so a later resume
           shifts the due time as usual. When the old and new limits share unit and calendar and
           the run was paused, the time used is read off the old due time, which already carries
           every pause exactly; otherwise a pause counts as its wall-clock length (for a
           working-days limit that is an approximation, and the note says so). When the time used
           is already more than the new limit, the due time is when the new limit ran out (never
           later than now): the next sweep records the breach.

A run whose deadline already fired (`breached_at`) keeps its due time and stays breached: the
breach is in the log. The run keeps its start and its pauses, and takes the new step's id and
number.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from engine.core.calendar import WorkCalendar
from engine.core.model import StepRun
from engine.spec.model import Duration, Spec, Step

__all__ = ["POLICIES", "moved_run"]

POLICIES = ("keep", "recompute")
_SECONDS = {
    "seconds": 1.0,
    "minutes": 60.0,
    "hours": 3600.0,
    "calendar_days": 86400.0,
    "working_days": 86400.0,
}


def moved_run(
    run: StepRun, a: Spec, old: Step, b: Spec, new: Step, policy: str, now: datetime
) -> tuple[StepRun, str]:
    if policy not in POLICIES:
        raise ValueError(f"deadline policy {policy!r}: use one of {', '.join(POLICIES)}")
    moved = replace(run, step=new.id, no=new.no)
    if run.breached_at is not None:
        return moved, "its deadline already fired: it stays breached"
    if policy == "keep" and run.due is not None:
        return moved, ""
    if new.time_limit is None:
        return replace(moved, due=None), f"step {new.no} has no time limit in {b.revision}"
    due, note = _recompute(run, a, old, b, new, now)
    if policy == "keep":
        note = "it had no due time: " + (note or f"{new.time_limit} from its start")
    return replace(moved, due=due), note


def _recompute(
    run: StepRun, a: Spec, old: Step, b: Spec, new: Step, now: datetime
) -> tuple[datetime, str]:
    limit = new.time_limit
    assert limit is not None
    cal = WorkCalendar.for_spec(b.calendar(new.calendar))
    if run.paused_seconds == 0 and run.paused_at is None:  # the used time is all since start
        due = cal.add(run.started, limit)
        return due, f"the {limit} were used up already" if due <= now else ""
    ref = run.paused_at or now
    used, note = _used(run, a, old, b, new, cal, ref)
    left = limit.amount - used
    if left > 0:
        return cal.add(ref, Duration(left, limit.unit, office=limit.office)), note
    ran_out = cal.add(run.started, limit) + timedelta(seconds=run.paused_seconds)
    return min(ran_out, ref), _join(note, f"the {limit} were used up already")


def _used(
    run: StepRun, a: Spec, old: Step, b: Spec, new: Step, cal: WorkCalendar, ref: datetime
) -> tuple[float, str]:
    """How much of the new limit's unit the run used by `ref`, the run having been paused."""
    assert new.time_limit is not None
    unit = new.time_limit.unit
    same_clock = (
        old.time_limit is not None
        and old.time_limit.unit == unit
        and old.time_limit.office == new.time_limit.office
        and a.calendar(old.calendar) == b.calendar(new.calendar)
    )
    if same_clock and run.due is not None and old.time_limit is not None:
        return old.time_limit.amount - cal.elapsed(ref, run.due, unit, new.time_limit.office), ""
    office = new.time_limit.office
    used = cal.elapsed(run.started, ref, unit, office) - run.paused_seconds / _SECONDS[unit]
    approx = unit == "working_days" or office
    return used, "approximate: its clock stood still for a while" if approx else ""


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)
