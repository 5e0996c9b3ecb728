"""Bringing a ticket up to a moment: every deadline and timer due by then, applied in order.

    caught = catch_up(rev, ticket, until, most)   -> CaughtUp (pure, like `apply`)

One timer event at a time, each at its own due time, asking `due` again after each: an event
(or a rule it sets off) can cancel, re-arm or move the next. The sweeper, the scenario runner
and the what-if replay all catch tickets up with this one function; they differ only in what
they do with the result (write it as one transaction, show each event on a timeline, record a
refusal and carry on).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.core.apply import apply, due
from engine.core.model import Event, Outcome, Ticket
from engine.core.revision import CompiledRevision
from engine.errors import SopError


@dataclass(frozen=True)
class CaughtUp:
    """What catching up did, in order, and why it stopped where it did."""

    ticket: Ticket  # after the last event applied; the ticket given when none was
    outcomes: tuple[Outcome, ...] = ()  # one per timer event applied
    refused: Event | None = None  # the due event the core refused; nothing after it was tried
    error: SopError | None = None  # why it was refused
    capped: bool = False  # `most` events were applied: more may still be due

    def combined(self) -> Outcome | None:
        """Every applied event as one Outcome (one transaction); None when nothing was due."""
        if not self.outcomes:
            return None
        return Outcome(
            ticket=self.ticket,
            log=tuple(e for o in self.outcomes for e in o.log),
            notifications=tuple(n for o in self.outcomes for n in o.notifications),
            deadlines=self.outcomes[-1].deadlines,
        )


def catch_up(
    rev: CompiledRevision, ticket: Ticket, until: datetime, most: int, *, notify: bool = True
) -> CaughtUp:
    """Apply the timer events due by `until`, at most `most` of them (a bad SOP's timers could
    fire forever). A refusal stops the catch-up and is returned, not raised, so the caller
    keeps what was applied before it and decides whether to raise. `notify`: as `apply`'s."""
    outcomes: list[Outcome] = []
    for _ in range(most):
        pending = due(rev, ticket, until)
        if not pending:
            return CaughtUp(ticket, tuple(outcomes))
        event = pending[0]
        try:
            outcome = apply(rev, ticket, event, event.occurred_at or until, notify=notify)
        except SopError as exc:
            return CaughtUp(ticket, tuple(outcomes), refused=event, error=exc)
        outcomes.append(outcome)
        ticket = outcome.ticket
    return CaughtUp(ticket, tuple(outcomes), capped=True)
