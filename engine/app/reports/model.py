"""The monev report as plain data: per step figures, per scope value and for the whole SOP."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class StepFigures:
    """One step over the period. Runs *entered* started in the period; runs *finished* (and
    the time figures) finished in it."""

    no: int
    id: str
    activity: str
    unit: str  # the unit of `median` and `p90` (the step's time-limit unit, or hours)
    time_limit: str | None  # e.g. "3 working days"
    entered: int = 0  # runs started
    tickets_entered: int = 0
    reentered: int = 0  # runs that were a ticket's 2nd or later visit to the step (loops)
    tickets_reentered: int = 0
    finished: int = 0
    with_limit: int = 0  # finished runs that had a time limit
    met: int = 0  # of those, finished within it
    median: float | None = None
    p90: float | None = None
    finished_by: dict[str, int] = field(default_factory=dict)  # event -> runs it finished

    @property
    def share_met(self) -> float | None:
        """met / with_limit (None when no run with a time limit finished)."""
        return self.met / self.with_limit if self.with_limit else None


@dataclass(frozen=True)
class NotificationCount:
    rule: str
    escalation: bool
    count: int


@dataclass(frozen=True)
class Section:
    """The figures of one scope value (`scope`), or of the whole SOP (`scope` None)."""

    scope: str | None
    tickets_received: int
    tickets_closed: int
    steps: tuple[StepFigures, ...]
    notifications: tuple[NotificationCount, ...] = ()

    @property
    def escalations(self) -> int:
        return sum(n.count for n in self.notifications if n.escalation)

    @property
    def notifications_sent(self) -> int:
        return sum(n.count for n in self.notifications)

    def step(self, step_id: str) -> StepFigures:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)


@dataclass(frozen=True)
class MonevReport:
    sop_id: str
    revision: str  # the revision whose steps and labels the report uses
    scope_field: str | None  # what `Section.scope` values are (the scoped actor's field)
    time_zone: str
    first_day: date  # the period [first_day, end_day) in `time_zone`
    end_day: date
    start: datetime
    end: datetime
    generated: datetime
    total: Section  # the whole SOP (or the one scope value asked for)
    scopes: tuple[Section, ...]  # one per scope value seen (empty when one was asked for)

    def scope(self, value: str | None) -> Section:
        for s in self.scopes:
            if s.scope == value:
                return s
        raise KeyError(value)
