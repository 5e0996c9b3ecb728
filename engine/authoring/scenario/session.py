"""One ticket driven through the pure core with a clock the scenario moves.

`Session` keeps the ticket, the scenario clock, the notifications produced since the last
`expect` block, and a timeline of every decision (for `sop simulate` and failure reports).
Moving the clock applies every deadline and timer that falls due on the way, one at a time,
each at its own due time (`engine.core.catch_up`); the scenario clock follows each of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from engine.authoring.scenario.model import Given
from engine.authoring.signoff_notes import signoff_note
from engine.core import CompiledRevision, apply, catch_up, new_ticket
from engine.core.calendar import WorkCalendar
from engine.core.model import Deadline, Event, LogEntry, Notification, Outcome, Ticket
from engine.core.signoff_runs import run_name
from engine.core.time_text import moment_text
from engine.errors import TicketError
from engine.spec.durations import parse_duration
from engine.spec.labels import status_label
from engine.spec.model import Duration, Spec

MAX_TIMER_EVENTS = 10_000  # per clock move: more means timers that never stop firing


class ClockError(Exception):
    """The scenario asked for an impossible clock move (backwards, or endless timers)."""


@dataclass(frozen=True)
class Row:
    """One line of a ticket's timeline: a logged decision, or an event the core refused."""

    at: datetime
    event: str
    actor: str
    from_state: str
    to_state: str
    status: str | None
    notifications: tuple[Notification, ...] = ()
    finished_step: int | None = None
    sla: str | None = None
    caused_by: str | None = None
    refused: str | None = None  # "code: message" when the core refused the event
    signoff: str = ""  # the sign-off inside the row it gave or that fell due (signoff_note)


@dataclass
class Session:
    rev: CompiledRevision
    ticket: Ticket | None = None
    now: datetime | None = None
    since_expect: list[Notification] = field(default_factory=list)
    timeline: list[Row] = field(default_factory=list)

    @property
    def spec(self) -> Spec:
        return self.rev.spec

    # --- driving the ticket ---
    def start(self, given: Given) -> None:
        assert given.at is not None, "a scenario that opens a ticket has a start time"
        self.now = given.at
        outcome = new_ticket(
            self.rev,
            given.ticket_id,
            dict(given.fields),
            given.at,
            actor=given.actor,
            user=given.user,
        )
        self._record(outcome)

    def post(self, event: Event) -> Outcome:
        """Apply a posted event at the current time; a TicketError is logged and re-raised."""
        assert self.ticket is not None and self.now is not None
        event = Event(
            event.type, event.actor, event.data, event.occurred_at or self.now, event.user
        )
        try:
            outcome = apply(self.rev, self.ticket, event, self.now)
        except TicketError as exc:
            self.timeline.append(self._refused_row(event, exc))
            raise
        self._record(outcome)
        return outcome

    def advance_by(self, duration: Duration) -> None:
        assert self.now is not None
        if duration.text:  # "3 hari" means what this SOP's `defaults:` says
            duration = parse_duration(duration.text, self.spec.time_defaults)
        calendar = WorkCalendar.for_spec(self.spec.calendar())
        self.advance_to(calendar.add(self.now, duration))

    def advance_to(self, target: datetime) -> None:
        assert self.ticket is not None and self.now is not None
        if target < self.now:
            raise ClockError(
                f"cannot move the clock back from {self.show_time(self.now)} "
                f"to {self.show_time(target)}"
            )
        caught = catch_up(self.rev, self.ticket, target, MAX_TIMER_EVENTS)
        for outcome in caught.outcomes:
            self.now = max(outcome.log[0].at, self.now)
            self._record(outcome)
        if caught.error is not None:
            assert caught.refused is not None
            self.now = max(caught.refused.occurred_at or target, self.now)
            raise caught.error
        if caught.capped:
            raise ClockError(f"more than {MAX_TIMER_EVENTS} timer events before {target}")
        self.now = target

    def take_notifications(self) -> list[Notification]:
        taken, self.since_expect = self.since_expect, []
        return taken

    # --- presentation helpers ---
    def show_time(self, moment: datetime) -> str:
        return show_time(self.spec, moment)

    def show_state(self, state: str) -> str:
        return show_state(self.spec, state)

    def show_status(self, status: str | None) -> str:
        return show_status(self.spec, status)

    # --- internals ---
    def _record(self, outcome: Outcome) -> None:
        self.ticket = outcome.ticket
        self.since_expect.extend(outcome.notifications)
        rows = [_row(self.spec, entry) for entry in outcome.log]
        if rows and outcome.notifications:
            rows[-1] = replace(rows[-1], notifications=outcome.notifications)
        self.timeline.extend(rows)

    def _refused_row(self, event: Event, exc: TicketError) -> Row:
        assert self.ticket is not None
        state = self.ticket.state
        return Row(
            at=event.occurred_at or self.now or self.ticket.created,
            event=event.type,
            actor=event.actor,
            from_state=state,
            to_state=state,
            status=self.ticket.status,
            refused=f"{exc.code}: {exc.message}",
        )


def _row(spec: Spec, entry: LogEntry) -> Row:
    return Row(
        at=entry.at,
        event=entry.event,
        actor=entry.actor,
        from_state=entry.from_state,
        to_state=entry.to_state,
        status=entry.to_status,
        finished_step=entry.finished_step,
        sla=entry.sla,
        caused_by=entry.caused_by,
        signoff=signoff_note(spec, entry.from_state, entry.event, entry.data),
    )


def show_time(spec: Spec, moment: datetime, timespec: str = "") -> str:
    """`moment` on the SOP's default calendar's wall clock, with its offset; seconds where they
    are not zero (or always, with `timespec="seconds"`, as the JSON output has them)."""
    try:
        zone: tzinfo = ZoneInfo(spec.calendar().time_zone)
    except (KeyError, ValueError):  # an SOP with no calendar: show UTC
        zone = UTC
    if timespec:
        return moment.astimezone(zone).isoformat(timespec=timespec)
    return moment_text(moment, zone, iso=True)


def show_state(spec: Spec, state: str) -> str:
    try:
        return f"{state} ({spec.step(state).no})"
    except KeyError:
        return state or "-"


def deadline_signoff(spec: Spec, d: Deadline) -> str:
    """`sign-off 3/3 kepala (Tanda tangan Kepala Dinas) of step approve (2)` when `d` is a
    sign-off's time limit (a "sla" deadline named `<step>.<sign-off>`), else ""."""
    if d.kind != "sla":
        return ""
    for step in spec.steps:
        for i, signoff in enumerate(step.signoffs, start=1):
            if run_name(step.id, signoff.id) == d.name:
                return (
                    f"sign-off {i}/{len(step.signoffs)} {signoff.id} ({signoff.text}) "
                    f"of step {show_state(spec, step.id)}"
                )
    return ""


def show_deadline(spec: Spec, d: Deadline) -> str:
    """A pending deadline as people read it: a step's time limit, a sign-off's, or a timer."""
    what = deadline_signoff(spec, d) or f"{'step' if d.kind == 'sla' else 'timer'} {d.name}"
    return f"{what} due {show_time(spec, d.due)}"


def show_status(spec: Spec, status: str | None) -> str:
    if status is None:
        return "none"
    label = status_label(spec, status)
    return status if label == status else f"{status} ({label})"
