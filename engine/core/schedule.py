"""Periodic steps: activities an SOP runs on a schedule rather than per ticket (e.g. a monthly
monitoring report to every agency). Pure, like the rest of the core: the caller says when
each periodic step last ran and which scope values (e.g. agency codes) exist.

    periodic_due(rev, last_end, now, since) -> list[PeriodicRun]  periods ended and not run
    run_periodic(rev, run, scopes, now) -> list[Notification]     what `schedule:` rules send
    period_run(spec, step_id, label) -> PeriodicRun               the period a label names

`rev` is the compiled revision in force (`engine.core.revision`), as for every entry point.

A period is a whole day, ISO week or month in the step's calendar time zone; it is due when it
ends, and its own time limit (the step's) counts from then.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from string import Template
from zoneinfo import ZoneInfo

from engine.core.calendar import WorkCalendar
from engine.core.model import Notification
from engine.core.revision import CompiledRevision
from engine.errors import InvalidData
from engine.spec.model import Spec, Step

PERIODS = ("daily", "weekly", "monthly")
MAX_CATCH_UP = 36  # periods returned per step and call, so a long outage cannot flood


@dataclass(frozen=True)
class PeriodicRun:
    step: str
    period: str  # "2025-01", "2025-W02", "2025-01-06"
    start: datetime
    end: datetime  # the run is due from here
    due: datetime | None  # the step's time limit, counted from `end`


def _period_start(kind: str, day: date) -> date:
    if kind == "daily":
        return day
    if kind == "weekly":
        return day - timedelta(days=day.weekday())
    return day.replace(day=1)


def _next_start(kind: str, start: date) -> date:
    if kind == "daily":
        return start + timedelta(days=1)
    if kind == "weekly":
        return start + timedelta(days=7)
    return (start.replace(day=28) + timedelta(days=4)).replace(day=1)


def _label(kind: str, start: date) -> str:
    if kind == "daily":
        return start.isoformat()
    if kind == "weekly":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return start.strftime("%Y-%m")


def _runs_of(spec: Spec, step: Step, after: datetime, now: datetime) -> list[PeriodicRun]:
    kind = _kind(step)
    zone = ZoneInfo(spec.calendar(step.calendar).time_zone)
    start = _period_start(kind, after.astimezone(zone).date())
    runs: list[PeriodicRun] = []
    while len(runs) < MAX_CATCH_UP:
        run = _run(spec, step, start)
        if run.end > now:
            break
        if run.start >= after:
            runs.append(run)
        start = _next_start(kind, start)
    return runs


def _kind(step: Step) -> str:
    kind = step.periodic or ""
    if kind not in PERIODS:
        raise InvalidData(f"step {step.no} ({step.id}): unknown period {kind!r}")
    return kind


def _run(spec: Spec, step: Step, start: date) -> PeriodicRun:
    """The period of `step` starting on `start` (a day, a Monday or a first of the month)."""
    kind = _kind(step)
    cal = spec.calendar(step.calendar)
    zone = ZoneInfo(cal.time_zone)
    begin = datetime.combine(start, time(), zone)
    end = datetime.combine(_next_start(kind, start), time(), zone)
    limit = step.time_limit
    due = WorkCalendar.for_spec(cal).add(end, limit) if limit else None
    return PeriodicRun(step.id, _label(kind, start), begin, end, due)


def period_run(spec: Spec, step_id: str, label: str) -> PeriodicRun:
    """The period a label names ("2025-01", "2025-W02", "2025-01-06") for a periodic step, as
    `periodic_due` gives it; InvalidData for a label that is not one of the step's periods."""
    step = spec.step(step_id)
    kind = _kind(step)
    try:
        if kind == "daily":
            start = date.fromisoformat(label)
        elif kind == "weekly":
            year, _, week = label.partition("-W")
            start = date.fromisocalendar(int(year), int(week), 1)
        else:
            start = date.fromisoformat(f"{label}-01")
    except ValueError:
        start = None
    if start is None or _label(kind, start) != label:
        raise InvalidData(f"{label!r} is not a {kind} period of step {step.no} ({step.id})")
    return _run(spec, step, start)


def periodic_due(
    rev: CompiledRevision, last_end: Mapping[str, datetime | None], now: datetime, since: datetime
) -> list[PeriodicRun]:
    """Periods of each periodic step that ended by `now` and start at or after the end of the
    last run (`last_end[step id]`), or at or after `since` for a step that never ran."""
    runs: list[PeriodicRun] = []
    for step in rev.spec.steps:
        if step.periodic is not None:
            runs.extend(_runs_of(rev.spec, step, last_end.get(step.id) or since, now))
    return sorted(runs, key=lambda r: (r.end, r.step))


def _template(spec: Spec, name: str) -> str:
    text = spec.template(name)
    if text is None:
        raise InvalidData(f"template {name!r} is not defined in {spec.key}'s rules")
    return text


def run_periodic(
    rev: CompiledRevision, run: PeriodicRun, scopes: Iterable[str], now: datetime
) -> list[Notification]:
    """The notifications the `schedule:` rules of `run.step` send for this period: one per
    scope value for an actor with a scope field (e.g. one per agency), else one."""
    spec, engine = rev.spec, rev.rules
    scope_values: Sequence[str] = sorted(set(scopes))
    fact = {
        "trigger": "schedule",
        "name": run.step,
        "state": "",
        "actor": "",
        "count": 0,
        "field": {"period": run.period},
        "data": {},
    }
    out: list[Notification] = []
    for match in engine.evaluate(fact):
        for action in match.actions:
            if action.kind not in ("notify", "escalate"):
                continue
            actor = spec.actor(str(action.params["to"]))
            targets: Sequence[str | None] = scope_values if actor.scope_field else [None]
            for scope in targets:
                values = {"period": run.period, "step_no": spec.step(run.step).no}
                if actor.scope_field and scope is not None:
                    values[actor.scope_field] = scope
                template = str(action.params["template"])
                key = f"{spec.key}:{run.step}:{run.period}:{match.rule_id}:{actor.id}:{scope}"
                out.append(
                    Notification(
                        id=hashlib.sha256(key.encode()).hexdigest()[:24],
                        ticket_id="",
                        to=actor.id,
                        template=template,
                        text=Template(_template(spec, template)).safe_substitute(values),
                        rule=match.rule_id,
                        escalation=action.kind == "escalate",
                        scope=scope,
                        created=now,
                    )
                )
    return out
