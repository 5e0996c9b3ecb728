"""What a change of revision would do to open tickets (the impact section of a diff).

    impact_on(a, b, match, tickets) -> Impact

Only open tickets pinned to `a` (same SOP id and revision) are checked; the others are counted
as skipped. For each: its current step id (its state) gone from `b`; its status gone from `b`;
and, when its current step's time limit or calendar changed, the deadline that would move. The
new due time is the new limit from the step run's start on `b`'s calendar for the step
(engine.core.calendar.WorkCalendar), plus whatever the run's pauses have already added to the old
due time (kept as wall-clock time, so it is approximate for a working-days limit). Due times
are given in the calendar's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from engine.authoring.diff_model import Impact, TicketImpact
from engine.authoring.diff_steps import StepMatch, label
from engine.authoring.diff_time import limit_verdict
from engine.core.calendar import WorkCalendar
from engine.core.model import Ticket
from engine.spec.model import END, Spec, Step


def impact_on(a: Spec, b: Spec, match: StepMatch, tickets: Iterable[Ticket]) -> Impact:
    a_steps = {s.id: s for s in a.steps}
    b_steps = {s.id: s for s in b.steps}
    b_statuses = {s.id for s in b.statuses}
    paired = {old.id: new for old, new in match.pairs}
    entries: list[TicketImpact] = []
    checked = skipped = 0
    for t in tickets:
        if not t.is_open or t.sop_id != a.sop_id or t.revision != a.revision:
            skipped += 1
            continue
        checked += 1
        step = a_steps.get(t.state)
        no = step.no if step else None
        if t.state != END and t.state not in b_steps:
            other = paired.get(t.state)
            note = f"matched by number to {label(other)} in {b.revision}" if other else ""
            entries.append(TicketImpact(t.id, "state_removed", t.state, no, t.status, note=note))
        if t.status is not None and t.status not in b_statuses:
            entries.append(TicketImpact(t.id, "status_removed", t.state, no, t.status))
        if step is not None and t.state in b_steps:
            moved = _deadline(a, b, t, step, b_steps[t.state])
            if moved is not None:
                entries.append(moved)
    return Impact(checked, skipped, tuple(entries))


def _deadline(a: Spec, b: Spec, t: Ticket, old: Step, new: Step) -> TicketImpact | None:
    run = t.active
    if run is None or run.step != old.id:
        return None
    old_cal, new_cal = a.calendar(old.calendar), b.calendar(new.calendar)
    if old.time_limit == new.time_limit and old_cal == new_cal:
        return None
    notes = [f"{old.time_limit or 'no limit'} -> {new.time_limit or 'no limit'}"]
    verdict = limit_verdict(old.time_limit, new.time_limit)
    if verdict != "unchanged":
        notes[0] += f", {verdict}"
    else:
        notes[0] = f"calendar {old_cal.id} -> {new_cal.id}"
    new_due = None
    if new.time_limit is not None:
        new_due = WorkCalendar.for_spec(new_cal).add(run.started, new.time_limit)
        if run.due is not None and old.time_limit is not None:
            base = WorkCalendar.for_spec(old_cal).add(run.started, old.time_limit)
            if run.due != base:
                new_due += run.due - base
                notes.append("keeps the time its clock stood still")
    if new_due == run.due:
        return None
    if run.paused_at is not None:
        notes.append("its clock is stopped now: the due time moves on when it restarts")
    if run.breached_at is not None:
        notes.append(f"the old limit already fell due at {run.breached_at.isoformat()}")
    return TicketImpact(
        t.id,
        "deadline_moves",
        t.state,
        old.no,
        t.status,
        old_due=_local(run.due, old_cal.time_zone),
        new_due=_local(new_due, new_cal.time_zone),
        note="; ".join(notes),
    )


def _local(t: datetime | None, zone: str) -> datetime | None:
    return t.astimezone(ZoneInfo(zone)) if t is not None else None
