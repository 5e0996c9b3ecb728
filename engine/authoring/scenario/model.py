"""The parsed form of a scenario file: plain, frozen data (see docs/scenarios.md).

Names of steps, events, actors, fields and statuses are kept as the author wrote them; they are
checked against a Spec by `engine.authoring.scenario.check` before a run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.spec.model import Duration

StepRef = str | int  # a step id, or a step number


@dataclass(frozen=True)
class Where:
    """The place in a scenario file a step or check was written."""

    file: str
    line: int
    col: int = 0
    path: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Given:
    """How a scenario's ticket begins: opened at `at` with `fields`, or (`after`) where an
    earlier scenario of the same file left it, its clock then moved to `at` if given."""

    at: datetime | None
    fields: dict[str, Any] = field(default_factory=dict, hash=False)
    actor: str | None = None
    user: str | None = None
    ticket_id: str = "T-1"
    after: Scenario | None = None

    def chain(self) -> tuple[Scenario, ...]:
        """The scenarios this one continues, oldest first."""
        if self.after is None:
            return ()
        return (*self.after.given.chain(), self.after)


@dataclass(frozen=True)
class ErrorExpectation:
    code: str
    mentions: tuple[str, ...] = ()  # texts the error message must contain


@dataclass(frozen=True)
class EventStep:
    type: str
    actor: str
    where: Where
    data: dict[str, Any] = field(default_factory=dict, hash=False)
    user: str | None = None
    at: datetime | None = None  # move the clock here first
    error: ErrorExpectation | None = None


@dataclass(frozen=True)
class AdvanceStep:
    """Move the clock by `by` (on the SOP's default calendar) or to `to`."""

    where: Where
    by: Duration | None = None
    to: datetime | None = None


@dataclass(frozen=True)
class NotificationExpectation:
    to: str
    template: str
    escalation: bool | None = None
    channel: str | None = None
    scope: str | None = None
    text_contains: str | None = None


@dataclass(frozen=True)
class DeadlineExpectation:
    kind: str  # "sla" (a step's limit) or "timer"
    name: StepRef
    due: datetime | None = None


@dataclass(frozen=True)
class Expect:
    """Checks on the ticket; only the keys the author wrote are compared."""

    where: Where
    state: StepRef | None = None
    status: str | None = None
    fields: dict[str, Any] | None = field(default=None, hash=False)
    notifications: tuple[NotificationExpectation, ...] | None = None
    only_notifications: bool = False
    no_notifications: bool = False
    deadlines: tuple[DeadlineExpectation, ...] | None = None
    only_deadlines: bool = False
    no_deadlines: bool = False
    sla: tuple[tuple[StepRef, tuple[str, ...]], ...] = ()
    paused: bool | None = None
    allowed_events: tuple[str, ...] | None = None
    closed: bool | None = None
    locs: dict[str, tuple[int, int]] = field(default_factory=dict, hash=False)

    def at(self, key: str) -> Where:
        """Where the check `key` of this block was written."""
        line, col = self.locs.get(key, (self.where.line, self.where.col))
        return Where(self.where.file, line, col, f"{self.where.path}.{key}")


ScenarioStep = EventStep | AdvanceStep | Expect


@dataclass(frozen=True)
class Scenario:
    name: str
    given: Given
    steps: tuple[ScenarioStep, ...]
    where: Where


@dataclass(frozen=True)
class ScenarioFile:
    path: str
    revisions: tuple[str, ...]  # empty: every revision of the SOP
    scenarios: tuple[Scenario, ...]
    revision_line: int = 1

    def applies_to(self, revision: str) -> bool:
        return not self.revisions or revision in self.revisions
