"""Read models kept by handlers of the log: tables derived from the events, each written by a
function registered here, in the transaction of the event it derives from.

    register(handler) -> handler      keep one more read model (runs after those before it)
    unregister(handler)               stop keeping it; events are stored as before
    run(tx, spec, ticket, log, scopes)      every write of an Outcome calls this after Tx.save

Why not inside `Tx.save`: the store saves what an event produced (its log entries, the ticket,
deadlines, outbox) and knows nothing of who reads it afterwards, as cosmicpython's handlers
update read models for domain events instead of the repository's save doing it. Why in the
same transaction: a handler that raises rolls the event back with it, so a read model is never
behind or ahead of the log it is derived from.

A handler is called with the transaction the event was written in, the revision that decided
it, the ticket as saved, the log entries this write appended, and the ticket's scope values
(scope field -> value). The read models the application keeps are listed once, in `_HANDLERS`
below: a read model's own module does not register itself on import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from engine.app.reports.step_runs import record_step_runs
from engine.core.model import LogEntry, Ticket
from engine.spec.model import Spec
from engine.store import Tx

__all__ = ["Handler", "register", "run", "unregister"]

Handler = Callable[[Tx, Spec, Ticket, Sequence[LogEntry], Mapping[str, str]], None]

# The composition: every read model the application keeps, in the order they are written.
_HANDLERS: list[Handler] = [
    record_step_runs,  # step_runs: one row per visit of a ticket to a step (the monev report)
]


def register(handler: Handler) -> Handler:
    """Keep a read model from now on (once: registering it again changes nothing). Returns the
    handler, so it can decorate its function."""
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)
    return handler


def unregister(handler: Handler) -> None:
    """Stop keeping a read model; ValueError if it was not registered (a misspelt handler should
    not pass silently)."""
    _HANDLERS.remove(handler)


def run(
    tx: Tx, spec: Spec, ticket: Ticket, log: Sequence[LogEntry], scopes: Mapping[str, str]
) -> None:
    """Call every registered handler for one saved event, in `tx`; the first that raises stops
    the rest, and its exception rolls the event back."""
    for handler in tuple(_HANDLERS):
        handler(tx, spec, ticket, log, scopes)
