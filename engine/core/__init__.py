"""The pure core: tickets move through a compiled revision. No I/O, no clock of its own.

    compile_revision(spec) -> CompiledRevision                 once per revision; hold it
    new_ticket(rev, ticket_id, fields, now, ...) -> Outcome    open a ticket at the start step
    apply(rev, ticket, event, now) -> Outcome                  one event, with every rule it fires
    due(rev, ticket, now) -> list[Event]                       the timer events due by `now`
    catch_up(rev, ticket, until, most) -> CaughtUp             apply them, one at a time
    allowed_events(rev, ticket) -> list[str]                   what may happen next
    pending_deadlines(ticket) -> list[Deadline]                for the store's due-time index

Errors (engine.errors.TicketError and subclasses) leave the ticket unchanged.
All datetimes are timezone-aware.
"""

from engine.core.apply import allowed_events, apply, due, new_ticket
from engine.core.caught_up import CaughtUp, catch_up
from engine.core.revision import CompiledRevision, compile_revision
from engine.core.timing import pending_deadlines

__all__ = [
    "CaughtUp",
    "CompiledRevision",
    "allowed_events",
    "apply",
    "catch_up",
    "compile_revision",
    "due",
    "new_ticket",
    "pending_deadlines",
]
