"""The frozen, validated form of one SOP revision (and the rules it names).

A `Spec` is built only by `engine.spec.load` after every check passed; nothing else constructs
one from user input. Everything here is plain, immutable data: the engine compiles it into a
transitions Machine and a rules ruleset, once per revision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal, TypeAlias

from engine.spec.expression import Expr

DurationUnit = Literal["seconds", "minutes", "hours", "calendar_days", "working_days"]
FieldType = Literal[
    "string", "text", "phone", "email", "choice", "boolean", "number", "url", "date", "file"
]
# The longest value (in characters) a field of each text type holds; a field's own
# `max_length` may lower it, never raise it. A choice holds one of its choices, a date 10
# characters: neither needs one.
FIELD_MAX_LENGTH: dict[str, int] = {
    "string": 500,
    "text": 20_000,
    "phone": 30,
    "email": 254,
    "url": 2_000,
}
# A `file` field: the kinds of content it may hold (decided from the bytes, never the name)
# and their media types; the most bytes one file may have, by default and at most; the most
# files a `multiple: true` field holds when it does not say.
FILE_KINDS: dict[str, str] = {
    "jpeg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}
FILE_DEFAULT_MAX_MB = 10
FILE_MAX_MB = 50
FILE_DEFAULT_MAX_COUNT = 10
_UNIT_NAMES = {
    "seconds": "second",
    "hours": "hour",
    "minutes": "minute",
    "calendar_days": "calendar day",
    "working_days": "working day",
}


@dataclass(frozen=True)
class Duration:
    """A time limit: `amount` of `unit`. Working days follow the step's calendar; with `office`,
    seconds, minutes and hours count only the calendar's office hours.

    `text` is the author's own words ("1x24 jam"), shown on the paper form; it takes no part in
    equality, so "24 jam" and "24 hours" are the same limit."""

    amount: float
    unit: DurationUnit
    text: str = field(default="", compare=False)
    office: bool = False

    def __str__(self) -> str:
        n = int(self.amount) if float(self.amount).is_integer() else self.amount
        word = _UNIT_NAMES[self.unit]
        office = "office " if self.office else ""
        return f"{n} {office}{word}{'' if n == 1 else 's'}"


@dataclass(frozen=True)
class Approver:
    """DISAHKAN OLEH as the paper has it: any part may be blank ("")."""

    title: str = ""
    name: str = ""
    rank: str = ""
    nip: str = ""


@dataclass(frozen=True)
class Identity:
    """The identity block as the paper has it: a blank or absent field is "" / None / ().

    `in_force_from` is not on the paper: the author's statement of the day the revision governs
    new tickets from when the paper gives no TGL. EFEKTIF (docs/sop-format.md)."""

    number: str = ""
    name: str = ""
    government: str = ""
    units: tuple[str, ...] = ()
    made: date | None = None
    approved_by: Approver = Approver()
    revised: date | None = None
    effective: date | None = None
    in_force_from: date | None = None

    @property
    def governs_from(self) -> date:
        """The day new tickets are pinned to this revision from: the paper's effective date,
        else the author's `in_force_from`, else (format_version 1) the date it was made.
        Validation refuses a revision with none of the three (`no_effective_date`)."""
        day = self.effective or self.in_force_from or self.made
        if day is None:
            raise ValueError("a validated revision always has a day it governs from")
        return day


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    # The ticket field that scopes this actor (an agency sees only tickets whose field matches).
    scope_field: str | None = None
    description: str = ""


@dataclass(frozen=True)
class FieldDef:
    id: str
    label: str
    type: FieldType = "string"
    personal: bool = False
    choices: tuple[str, ...] = ()
    description: str = ""
    max_length: int | None = None  # the field's own, at most its type's FIELD_MAX_LENGTH
    # `type: file` only: the kinds accepted (FILE_KINDS keys), several files or one, the most
    # files and megabytes (of each file), and whether an image keeps its EXIF (GPS included).
    accept: tuple[str, ...] = tuple(FILE_KINDS)
    multiple: bool = False
    max_files: int = 1
    max_size_mb: int = FILE_DEFAULT_MAX_MB
    keep_exif: bool = False

    @property
    def max_bytes(self) -> int:
        return self.max_size_mb * 2**20

    @property
    def media_types(self) -> tuple[str, ...]:
        """The media types a `file` field accepts, in the SOP's order."""
        return tuple(FILE_KINDS[k] for k in self.accept)

    @property
    def longest(self) -> int | None:
        """The most characters a value may have (None: the type is not text)."""
        cap = FIELD_MAX_LENGTH.get(self.type)
        if cap is None or self.max_length is None:
            return cap
        return min(cap, self.max_length)


@dataclass(frozen=True)
class Status:
    id: str
    label: str
    description: str = ""


@dataclass(frozen=True)
class TimeDefaults:
    """What the SOP's `defaults:` block says about words the paper leaves open."""

    day: DurationUnit = "calendar_days"  # a bare "hari" / "day"
    office_time: bool = False  # bare seconds, minutes and hours count office time


Hours = tuple[tuple[int, int], ...]  # open (from, until) spans, seconds after local midnight
WeekHours = tuple[Hours, ...]  # seven entries, Monday first


@dataclass(frozen=True)
class HoursOverride:
    """Office hours that replace the usual week on the dates `first`..`last` (inclusive):
    Ramadan hours over a range, or a closure (every day empty)."""

    first: date
    last: date
    hours: WeekHours
    note: str = ""


@dataclass(frozen=True)
class Calendar:
    id: str
    time_zone: str = "Asia/Jakarta"
    working_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday=0
    holidays_country: str | None = None
    holidays_subdiv: str | None = None
    holidays_categories: tuple[str, ...] = ("public",)
    collective_leave: tuple[date, ...] = ()
    office_hours: WeekHours | None = None  # None: no office hours declared
    overrides: tuple[HoursOverride, ...] = ()


# A condition (branch `when`, input `when`, rule `if`) is a tree of the one condition
# language: engine.spec.expression, meaning defined by engine.spec.semantics.
Condition: TypeAlias = Expr


@dataclass(frozen=True)
class Input:
    """One kelengkapan item: its verbatim text and the ticket fields that hold it."""

    text: str
    fields: tuple[str, ...] = ()
    when: Condition | None = None  # required only when this holds


@dataclass(frozen=True)
class Branch:
    to: str
    when: Condition | None = None  # None: the "otherwise" branch (must be last)
    status: str | None = None  # the public status this branch sets (over the event's)


@dataclass(frozen=True)
class EventDef:
    """An event that a step accepts.

    Exactly one of: `to` / `branches` (the event completes the step and moves on),
    `pause` / `resume` (the step's clock stops / restarts; the state is unchanged), or
    neither (an internal event: recorded, rules run, the state is unchanged).
    """

    name: str
    by: tuple[str, ...]
    to: str | None = None
    branches: tuple[Branch, ...] = ()
    requires: tuple[str, ...] = ()  # event data keys that must be present (field ids)
    accepts: tuple[str, ...] = ()  # event data keys merged into the ticket's fields
    # ticket fields that must be set before the event (preconditions), refused otherwise
    needs: tuple[str, ...] = ()
    status: str | None = None  # the public status the event sets (any kind of event)
    pause: bool = False
    resume: bool = False
    description: str = ""
    label: str = ""  # what people read (Indonesian, from the YAML); "": the name is shown

    @property
    def display_name(self) -> str:
        return self.label or self.name

    @property
    def completes_step(self) -> bool:
        return self.to is not None or bool(self.branches)

    @property
    def targets(self) -> tuple[str, ...]:
        return (self.to,) if self.to is not None else tuple(b.to for b in self.branches)


@dataclass(frozen=True)
class SignOff:
    """One sign-off inside a row (paraf Kasi, then Kabid, then Kepala), given in order.

    The ticket stays in the step while its sign-offs are given one after the other, each by
    its own `event`; the step's events that move the ticket are accepted only once the last
    is given, except the `reject` events, which the current sign-off may send instead.
    """

    id: str
    performer: str  # an actor id
    text: str  # the sign-off as the paper words it, verbatim
    event: str  # the event that gives it (records it; the ticket stays in the step)
    time_limit: Duration | None = None  # counted from when it becomes the current sign-off
    reject: tuple[str, ...] = ()  # step events (that move the ticket) allowed while it waits


@dataclass(frozen=True)
class Step:
    no: int
    id: str
    activity: str
    performers: tuple[str, ...]
    inputs: tuple[Input, ...]
    time_limit: Duration | None
    output: str
    remarks: str = ""
    # the status set when this step completes moving forward (not on a return to an earlier
    # step); an event's, branch's or rule's status takes precedence (engine.core.status)
    status: str | None = None
    events: tuple[EventDef, ...] = ()
    calendar: str | None = None  # None: the SOP's default calendar
    periodic: str | None = None  # a step run on a schedule, not per ticket (e.g. "monthly")
    final: bool = False
    signoffs: tuple[SignOff, ...] = ()  # ordered sign-offs inside the row

    def event(self, name: str) -> EventDef | None:
        for ev in self.events:
            if ev.name == name:
                return ev
        return None


END = "end"  # the reserved target: the ticket leaves the SOP (closed for good)


@dataclass(frozen=True)
class Invariant:
    """A statement the SOP makes about every ticket at some steps, e.g. "a request at the
    decision step has its applicant's name". Checked by `sop check` (engine.authoring.explore)
    on every ticket it reaches; the engine does not enforce it when a ticket runs.

    It holds at a ticket when the ticket's status is one of `status` (when given) and `holds`
    holds over its fields (when given)."""

    id: str
    text: str  # the statement in the SOP's words
    holds: Condition | None = None  # over the ticket's fields (`field:` tests)
    status: tuple[str, ...] = ()  # the ticket's status is one of these
    at: tuple[str, ...] = ()  # step ids, or "end" (a closed ticket); (): every ticket step

    def applies(self, state: str, ticket_steps: tuple[str, ...]) -> bool:
        """Whether the invariant speaks of a ticket in `state` (a step id or "end")."""
        return state in self.at if self.at else state in ticket_steps


@dataclass(frozen=True)
class RuleAction:
    """One action from the engine's closed registry (see engine.spec.rules.actions)."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)


@dataclass(frozen=True)
class Rule:
    id: str
    when: dict[str, Any] = field(hash=False, compare=True)
    then: tuple[RuleAction, ...] = ()
    description: str = ""
    source: str = ""  # rules file id


@dataclass(frozen=True)
class RuleSetSpec:
    id: str
    rules: tuple[Rule, ...]
    templates: dict[str, str] = field(default_factory=dict, hash=False, compare=True)
    content_hash: str = ""


@dataclass(frozen=True)
class Spec:
    format_version: int
    sop_id: str
    revision: str
    identity: Identity
    legal_basis: tuple[str, ...]
    qualifications: tuple[str, ...]
    related_sops: tuple[str, ...]
    equipment: tuple[str, ...]
    warnings: tuple[str, ...]
    record_keeping: tuple[str, ...]
    performers: tuple[str, ...]  # the performer columns of the paper form, in order
    actors: tuple[Actor, ...]
    fields: tuple[FieldDef, ...]
    statuses: tuple[Status, ...]
    initial_status: str | None
    calendars: tuple[Calendar, ...]
    default_calendar: str
    start: str
    steps: tuple[Step, ...]
    rulesets: tuple[RuleSetSpec, ...] = ()
    content_hash: str = ""  # sha256 over the revision text and its rules files' texts
    source_path: str = ""
    time_defaults: TimeDefaults = TimeDefaults()  # the revision's `defaults:` block
    invariants: tuple[Invariant, ...] = ()  # checked by `sop check`, not enforced

    # --- lookups (small, linear: an SOP has tens of steps, not thousands) ---
    @property
    def key(self) -> str:
        return f"{self.sop_id}@{self.revision}"

    def step(self, step_id: str) -> Step:
        for s in self.steps:
            if s.id == step_id:
                return s
        raise KeyError(step_id)

    def step_by_no(self, no: int) -> Step:
        for s in self.steps:
            if s.no == no:
                return s
        raise KeyError(no)

    def actor(self, actor_id: str) -> Actor:
        for a in self.actors:
            if a.id == actor_id:
                return a
        raise KeyError(actor_id)

    def field_def(self, field_id: str) -> FieldDef:
        for f in self.fields:
            if f.id == field_id:
                return f
        raise KeyError(field_id)

    def status(self, status_id: str) -> Status:
        for s in self.statuses:
            if s.id == status_id:
                return s
        raise KeyError(status_id)

    def calendar(self, calendar_id: str | None = None) -> Calendar:
        wanted = calendar_id or self.default_calendar
        for c in self.calendars:
            if c.id == wanted:
                return c
        raise KeyError(wanted)

    # Computed once per revision (a Spec is frozen): every decision reads them several times.
    @cached_property
    def ticket_steps(self) -> tuple[Step, ...]:
        """Steps a ticket moves through (periodic steps run on a schedule instead)."""
        return tuple(s for s in self.steps if s.periodic is None)

    @cached_property
    def rules(self) -> tuple[Rule, ...]:
        return tuple(r for rs in self.rulesets for r in rs.rules)

    @cached_property
    def signoff_events(self) -> frozenset[str]:
        """The events that give a sign-off, in any of its ticket steps."""
        return frozenset(s.event for step in self.ticket_steps for s in step.signoffs)

    def template(self, name: str) -> str | None:
        """A message template's text: the first of the revision's rules files defining it."""
        return next((rs.templates[name] for rs in self.rulesets if name in rs.templates), None)

    @property
    def personal_fields(self) -> frozenset[str]:
        return frozenset(f.id for f in self.fields if f.personal)
