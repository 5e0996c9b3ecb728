"""The pure core: tickets move through a spec. No I/O, no clock of its own.

    new_ticket(spec, ticket_id, fields, now, ...) -> Outcome   open a ticket at the start step
    apply(spec, ticket, event, now) -> Outcome                 one event, with every rule it fires
    due(spec, ticket, now) -> list[Event]                      the timer events due by `now`
    allowed_events(spec, ticket) -> list[str]                  what may happen next
    pending_deadlines(ticket) -> list[Deadline]                for the store's due-time index

Errors (engine.errors.TicketError and subclasses) leave the ticket unchanged.
All datetimes are timezone-aware.
"""

from engine.core.apply import allowed_events, apply, due, new_ticket
from engine.core.timing import pending_deadlines

__all__ = ["allowed_events", "apply", "due", "new_ticket", "pending_deadlines"]
