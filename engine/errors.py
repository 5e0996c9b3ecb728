"""The one exception tree of the project.

    SopError                      base of everything the engine raises on purpose
    ├── SopInvalid                an SOP or rules file failed validation (carries every Problem)
    │   └── RevisionChanged       a published revision's file (or its rules) was edited in place
    ├── UnknownSop                no SOP with that id is loaded
    ├── UnknownRevision           the SOP has no such revision
    ├── StoredRevisionMismatch    a revision's text in the store no longer hashes to the hash
    │                             its tickets are pinned to (it was changed in the database)
    ├── TicketError               a ticket event was refused; nothing changed
    │   ├── UnknownEvent          the SOP defines no event of that type
    │   ├── EventNotAllowed       the event exists but not in the ticket's current state
    │   ├── MissingInputs         required inputs (kelengkapan) or event data are missing
    │   ├── ActorNotAllowed       the actor may not perform this event
    │   └── InvalidData           event data or ticket fields have the wrong type or value
    │       └── FileRefused       an upload beyond its file field's limits (count, size, kind)
    ├── RulesError                the rules engine failed (an action raised, a rule looped, ...)
    ├── InvalidClockMove          a manual clock move that cannot be made; the clock stands
    ├── InvalidRedelivery         dead letters asked for with no filter, or an unknown channel
    ├── InvalidAccount            a personal account that cannot be added or changed as asked
    │                             (login, password, role, scope or a login already taken)
    ├── NotFound                  a stored object does not exist
    ├── Conflict                  a concurrent change won (idempotency clash, lost race)
    │   └── VersionMismatch       the caller named a version (If-Match) that is not current
    ├── StoreUnavailable          no store to work on: a missing file, a refused connection, an
    │   │                         old schema (`Store.open_existing`, never migrated); a data
    │   │                         folder that cannot hold one or lost its database (`Store.open`);
    │   │                         a database file removed or replaced under a running store, or
    │   │                         a database refusing work (down, disk full): writes refused
    │   └── ReportsUnavailable    the reports' own database (a read replica) does not answer;
    │                             the rest of the service works
    └── CheckpointInvalid         an audit checkpoint or its key file cannot be used: unreadable,
                                  too short a key, or a signature that does not match

`api/errors.py` maps each class to an HTTP status and a stable `code`, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One located validation problem: `file:line:col: code: path: message`."""

    code: str
    message: str
    path: str = ""
    file: str = ""
    line: int = 0
    col: int = 0
    hint: str = ""

    def format(self) -> str:
        loc = f"{self.file}:{self.line}:{self.col}" if self.file else f"{self.line}:{self.col}"
        text = f"{loc}: {self.code}: {self.path or '<root>'}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "hint": self.hint,
        }


class SopError(Exception):
    """Base class. `code` is stable and is what API clients match on."""

    code = "sop_error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class SopInvalid(SopError):
    code = "sop_invalid"

    def __init__(self, problems: list[Problem], message: str = "") -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col, p.code))
        super().__init__(message or f"{len(self.problems)} problem(s) found")

    def __str__(self) -> str:
        return "\n".join(p.format() for p in self.problems)


class RevisionChanged(SopInvalid):
    """A revision that governed tickets no longer has its published text: publish a new one."""

    code = "revision_changed"


class UnknownSop(SopError):
    code = "unknown_sop"


class UnknownRevision(SopError):
    code = "unknown_revision"


class StoredRevisionMismatch(SopError):
    """The text the store keeps for a revision does not rebuild the revision its tickets are
    pinned to (by content hash): someone changed it in the database. Nothing is decided on it."""

    code = "stored_revision_mismatch"


class TicketError(SopError):
    code = "ticket_error"


class UnknownEvent(TicketError):
    code = "unknown_event"


class EventNotAllowed(TicketError):
    code = "event_not_allowed"


class MissingInputs(TicketError):
    code = "missing_inputs"


class ActorNotAllowed(TicketError):
    code = "actor_not_allowed"


class InvalidData(TicketError):
    code = "invalid_data"


class FileRefused(InvalidData):
    """Details: `errors` keyed by the field, and the `limit` it broke (`max_files`,
    `max_size_mb` or `accept`, with the field's value)."""

    code = "file_refused"


class RulesError(SopError):
    code = "rules_error"


class InvalidClockMove(SopError, ValueError):
    """The manual clock was asked to move by an unreadable or negative amount, by working days
    with no calendar to count them on, or to a time without an offset; it did not move.
    `errors` names the request's field at fault. Also a ValueError: a bad value. Its code is
    the one the API has always answered a bad move with."""

    code = "invalid_request"


class InvalidRedelivery(SopError, ValueError):
    """A redelivery of dead letters that names none (no filter and not `all`) or a channel the
    notification config does not define; nothing was redelivered. `errors` names the request's
    field at fault."""

    code = "invalid_request"


class InvalidAccount(SopError, ValueError):
    """A personal account (engine.app.accounts) asked for with a malformed login, a password
    too short, an unknown role, a malformed scope, or a login already taken; nothing changed.
    `errors` names the field at fault."""

    code = "invalid_account"


class NotFound(SopError):
    code = "not_found"


class Conflict(SopError):
    code = "conflict"


class VersionMismatch(Conflict):
    """The caller decided on version `expected` of the ticket, which is at `current_version`
    now. Its own class (and code) so the API can answer 412 with the current ETag without
    reading a plain Conflict's details."""

    code = "precondition_failed"

    def __init__(self, ticket_id: str, current_version: int, expected: int) -> None:
        super().__init__(
            f"ticket {ticket_id} is at version {current_version}, not {expected}; "
            "read it again and retry",
            ticket_id=ticket_id,
            current_version=current_version,
        )
        self.current_version = current_version


class StoreUnavailable(SopError):
    """The store cannot be opened, or cannot take work now; the message says why, in a line.
    Nothing was written (a write refused after its commit went to a file that is gone)."""

    code = "store_unavailable"


class ReportsUnavailable(StoreUnavailable):
    """The database the reports read (SOP_REPORTS_DATABASE_URL, a read replica) cannot be
    opened or does not answer; the service's own database is not concerned."""

    code = "reports_unavailable"


class CheckpointInvalid(SopError):
    """An audit checkpoint (`sop audit checkpoint`) or its key file cannot be used."""

    code = "checkpoint_invalid"


__all__ = [
    "ActorNotAllowed",
    "CheckpointInvalid",
    "Conflict",
    "EventNotAllowed",
    "FileRefused",
    "InvalidClockMove",
    "InvalidData",
    "InvalidRedelivery",
    "MissingInputs",
    "NotFound",
    "Problem",
    "ReportsUnavailable",
    "RevisionChanged",
    "RulesError",
    "SopError",
    "SopInvalid",
    "StoreUnavailable",
    "StoredRevisionMismatch",
    "TicketError",
    "UnknownEvent",
    "UnknownRevision",
    "UnknownSop",
    "VersionMismatch",
]
