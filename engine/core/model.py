"""A ticket, the events that move it, and what an event produces. Standard library only.

A `Ticket` is a plain, immutable record pinned to one SOP revision. `engine.core.apply`
turns (spec, ticket, event, now) into an `Outcome`: the new record plus what the store must
write in the same transaction (log entries, pending deadlines, notifications).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal, TypeVar

SlaResult = Literal["met", "breached"]
R = TypeVar("R")
_NAMES: dict[type, frozenset[str]] = {}


def evolve(record: R, **changes: Any) -> R:
    """`dataclasses.replace` for the records here, which have no `__post_init__` and no
    `init=False` fields: the same copy with `changes`, without calling `__init__` (replace's
    checks and keyword call cost more than the rest of a decision: ~5 us a copy, several
    copies per event). An unknown field name is a TypeError, as there."""
    cls = type(record)
    names = _NAMES.get(cls)
    if names is None:
        names = _NAMES[cls] = frozenset(f.name for f in fields(cls))  # type: ignore[arg-type]
    if not names.issuperset(changes):
        raise TypeError(f"{cls.__name__} has no field {sorted(set(changes) - names)}")
    copy = object.__new__(cls)
    copy.__dict__.update(record.__dict__, **changes)
    return copy  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SignOffRun:
    """One sign-off inside a step run (engine.core.signoffs): when it became the current one,
    was due, was given (or the step left it), and its SLA."""

    signoff: str  # the sign-off's id within its step
    started: datetime
    due: datetime | None
    finished: datetime | None = None
    breached_at: datetime | None = None  # set once its deadline has fired
    result: SlaResult | None = None
    by_event: str | None = None  # its own event, or the step event that left it (a rejection)


@dataclass(frozen=True)
class StepRun:
    """One visit of a ticket to a step: when it started, was due, finished, and its SLA."""

    step: str
    no: int
    started: datetime
    due: datetime | None
    finished: datetime | None = None
    paused_at: datetime | None = None
    paused_seconds: float = 0.0
    breached_at: datetime | None = None  # set once the deadline has fired
    result: SlaResult | None = None  # set when the step finishes
    by_event: str | None = None  # the event that finished it
    signoffs: tuple[SignOffRun, ...] = ()  # the step's sign-offs reached so far, in order


@dataclass(frozen=True)
class Timer:
    """A named timer a rule started (reminders); fires at `due`, again every `every`."""

    name: str
    due: datetime
    step: str | None = None  # cancelled when the ticket leaves this step
    every_amount: float | None = None
    every_unit: str | None = None
    count: int = 0  # how many times it has fired


@dataclass(frozen=True)
class Ticket:
    id: str
    sop_id: str
    revision: str
    spec_hash: str
    state: str  # the current step id, or the reserved "end"
    status: str | None
    fields: dict[str, Any]
    created: datetime
    active: StepRun | None
    # The finished step runs, oldest first. A ticket read from the store for deciding holds only
    # the runs finished since (`runs_before` counts those stored apart, which deciding never
    # reads: engine.store keeps them in `ticket_runs`); `Tx.with_history` gives the whole
    # list. A ticket the core builds from its opening holds them all.
    history: tuple[StepRun, ...] = ()
    timers: tuple[Timer, ...] = ()
    version: int = 0
    closed: datetime | None = None  # when it reached `end` (left the SOP); None while open
    runs_before: int = 0  # finished runs stored apart, before `history`

    @property
    def runs_done(self) -> int:
        """How many step runs the ticket finished in all (stored apart or held)."""
        return self.runs_before + len(self.history)

    @property
    def is_open(self) -> bool:
        """Whether the ticket is still in its SOP: some step of it still runs. It leaves at
        `end`, and `closed` is that moment. The public `status` is the SOP's own label, which
        may already read as final while the last steps still run."""
        return self.closed is None


@dataclass(frozen=True)
class Event:
    """Something that happened to a ticket.

    `type` is an event name of the SOP, or one of the engine's own timer events:
    "deadline" (data: {"step": id}) and "timer" (data: {"name": ...}).
    """

    type: str
    actor: str  # an actor id of the SOP (a role), e.g. the one performing the step
    data: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None  # None: the time it is applied
    user: str | None = None  # who, as a person or service (for the log)


@dataclass(frozen=True)
class Deadline:
    """A pending time at which `due()` will produce an event for the ticket."""

    ticket_id: str
    kind: Literal["sla", "timer"]
    name: str  # the step id (sla) or timer name
    due: datetime


@dataclass(frozen=True)
class Notification:
    id: str  # stable: receivers drop duplicates by it
    ticket_id: str
    to: str  # an actor id
    template: str
    text: str
    rule: str
    escalation: bool = False
    channel: str | None = None  # the value of the ticket field the rule names (e.g. its channel)
    scope: str | None = None  # for scoped actors: the value of their scope field (agency code)
    created: datetime | None = None
    # The rule filled in personal data (`include_personal`): the text is left as rendered;
    # otherwise every personal value the ticket has had is masked in it (engine.core.masking).
    include_personal: bool = False


@dataclass(frozen=True)
class RuleFiring:
    rule: str
    trigger: str  # e.g. "deadline:follow_up"
    actions: tuple[str, ...]
    reason: str
    # What the rule's tests read ("count", "field.channel", ...) -> the value it saw; the SOP's
    # personal fields masked.
    inputs: dict[str, Any] = field(default_factory=dict)


def performer(actor: str | None) -> str | None:
    """Who performed a log entry, as every reader of the log is told (the API's timeline, the
    web page, the XES and OCEL exports): the id of the SOP actor that performed it, or None
    when no actor of the SOP did. None for the engine's own `deadline` and `timer` entries
    and for a ticket opened without an actor (the log stores "" for them). An event a rule
    fired was performed by the SOP actor it is applied as (the rule's `actor`, else the
    event's first performer in the SOP), like any other; its `caused_by` names the rule."""
    return actor or None


@dataclass(frozen=True)
class LogEntry:
    """One decision, recorded against the exact revision that made it."""

    ticket_id: str
    version: int  # the ticket version this entry produced
    at: datetime
    event: str
    actor: str  # as stored: "" when no actor of the SOP performed it (read `performer`)
    user: str | None
    data: dict[str, Any]
    from_state: str
    to_state: str
    from_status: str | None
    to_status: str | None
    sop_id: str
    revision: str
    spec_hash: str
    finished_step: int | None = None
    entered_step: int | None = None
    sla: SlaResult | None = None
    rules: tuple[RuleFiring, ...] = ()
    caused_by: str | None = None  # rule id when a rule fired this event

    @property
    def performer(self) -> str | None:
        """The SOP actor that performed it, or None (`performer`)."""
        return performer(self.actor)

    @classmethod
    def for_change(
        cls,
        event: Event,
        after: Ticket,
        at: datetime,
        *,
        from_state: str,
        from_status: str | None,
        finished_step: int | None = None,
        entered_step: int | None = None,
        sla: SlaResult | None = None,
        caused_by: str | None = None,
    ) -> LogEntry:
        """The entry of `event` taking a ticket to `after`, recorded against the revision
        `after` is pinned to: a decision by `apply`, or a migration."""
        return cls(
            ticket_id=after.id,
            version=after.version,
            at=at,
            event=event.type,
            actor=event.actor,
            user=event.user,
            data=dict(event.data),
            from_state=from_state,
            to_state=after.state,
            from_status=from_status,
            to_status=after.status,
            sop_id=after.sop_id,
            revision=after.revision,
            spec_hash=after.spec_hash,
            finished_step=finished_step,
            entered_step=entered_step,
            sla=sla,
            caused_by=caused_by,
        )


@dataclass(frozen=True)
class Outcome:
    ticket: Ticket
    log: tuple[LogEntry, ...]
    notifications: tuple[Notification, ...]
    deadlines: tuple[Deadline, ...]  # every pending deadline of the ticket after the event
