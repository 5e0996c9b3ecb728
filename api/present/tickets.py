"""Tickets, timeline entries and notifications as the API shows them to one reader.

Masking: a reader without personal-data access sees `***` for every field the SOP marks
`personal: true`, in a ticket's fields, in a timeline entry's data, and inside notification
text (the ticket's personal values are replaced wherever they occur).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from api.present.sops import status_ref, step_number
from engine.app.service import TicketRecord
from engine.core.model import Deadline, LogEntry, Ticket
from engine.spec.model import END, Spec

MASK = "***"


@dataclass(frozen=True)
class Reader:
    """Who the view is for: whether personal fields are shown."""

    sees_personal_data: bool


def mask_values(
    values: Mapping[str, Any], personal: frozenset[str], reader: Reader
) -> tuple[dict[str, Any], list[str]]:
    if reader.sees_personal_data:
        return dict(values), []
    out: dict[str, Any] = {}
    masked: list[str] = []
    for key, value in values.items():
        if key in personal and value not in (None, ""):
            out[key] = MASK
            masked.append(key)
        else:
            out[key] = value
    return out, masked


def _step_ref(spec: Spec, ticket: Ticket, now: datetime) -> dict[str, Any] | None:
    if ticket.state == END or not ticket.is_open:
        return None
    step = spec.step(ticket.state)
    run = ticket.active
    return {
        "number": step.no,
        "id": step.id,
        "activity": step.activity,
        "performers": list(step.performers),
        "started": run.started if run else None,
        "due": run.due if run else None,
        "paused": bool(run and run.paused_at is not None),
        "breached": _breached(ticket, now),
    }


def _breached(ticket: Ticket, now: datetime) -> bool:
    run = ticket.active
    if run is None or not ticket.is_open:
        return False
    if run.breached_at is not None:
        return True
    return run.due is not None and run.paused_at is None and run.due <= now


def _deadlines(
    spec: Spec, ticket: Ticket, pending: Iterable[Deadline], now: datetime
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    run = ticket.active
    if ticket.is_open and run and run.due and run.breached_at is not None:  # fired, still open
        out.append({"kind": "sla", "name": run.step, "due": run.due})
    out.extend({"kind": d.kind, "name": d.name, "due": d.due} for d in pending)
    for item in out:
        item["step_number"] = step_number(spec, item["name"]) if item["kind"] == "sla" else None
        item["overdue"] = item["due"] <= now
    return out


def _allowed(spec: Spec, ticket: Ticket, names: Iterable[str]) -> list[dict[str, Any]]:
    if not names or ticket.state == END:
        return []
    step = spec.step(ticket.state)
    out = []
    for name in names:
        ev = step.event(name)
        if ev is None:
            continue
        out.append(
            {
                "type": ev.name,
                "by": list(ev.by),
                "requires": list(ev.requires),
                "accepts": list(ev.accepts),
                "targets": list(ev.targets),
            }
        )
    return out


def ticket_view(record: TicketRecord, now: datetime, reader: Reader) -> dict[str, Any]:
    spec, ticket = record.spec, record.ticket
    values, masked = mask_values(ticket.fields, spec.personal_fields, reader)
    return {
        "id": ticket.id,
        "sop": ticket.sop_id,
        "revision": ticket.revision,
        "spec_hash": ticket.spec_hash,
        "version": ticket.version,
        "state": ticket.state,
        "step": _step_ref(spec, ticket, now),
        "status": status_ref(spec, ticket.status),
        "fields": values,
        "masked": masked,
        "deadlines": _deadlines(spec, ticket, record.deadlines, now),
        "allowed_events": _allowed(spec, ticket, record.allowed_events),
        "open": ticket.is_open,
        "overdue": _breached(ticket, now),
        "created": ticket.created,
        "closed": ticket.closed,
        "external_ref": record.external_ref,
    }


ENTRY_KEYS = (
    "version",
    "at",
    "event",
    "actor",
    "user",
    "from_state",
    "to_state",
    "from_status",
    "to_status",
    "finished_step",
    "entered_step",
    "sla",
    "rules",
    "caused_by",
    "revision",
    "spec_hash",
)


def entry_view(spec: Spec, entry: LogEntry | Mapping[str, Any], reader: Reader) -> dict[str, Any]:
    """A log entry (the record, or the store's timeline dict of it) as the reader may see it."""
    if isinstance(entry, LogEntry):  # read off the record (asdict would deep-copy all of it)
        out = {key: getattr(entry, key) for key in ENTRY_KEYS}
        data: Mapping[str, Any] = entry.data
        out["rules"] = [asdict(r) for r in entry.rules]
    else:
        out = {key: entry.get(key) for key in ENTRY_KEYS}
        data = entry.get("data") or {}
        out["rules"] = list(out["rules"] or ())
    out["data"], _ = mask_values(data or {}, spec.personal_fields, reader)
    return out


NOTIFICATION_KEYS = (
    "id",
    "ticket_id",
    "to",
    "template",
    "text",
    "rule",
    "escalation",
    "channel",
    "scope",
    "created",
    "cursor",
    "delivery",
)


def notification_view(
    note: Mapping[str, Any], reader: Reader, personal_values: Iterable[str] = ()
) -> dict[str, Any]:
    """An outbox item; without personal-data access the ticket's personal values are masked
    wherever the text contains them."""
    out = {key: note.get(key) for key in NOTIFICATION_KEYS}
    text = str(out["text"] or "")
    if not reader.sees_personal_data:
        for value in sorted({v for v in personal_values if v}, key=len, reverse=True):
            text = text.replace(value, MASK)
    out["text"] = text
    return out


def personal_values(spec: Spec, ticket: Ticket) -> list[str]:
    """The ticket's personal values as text, for masking them inside notification text."""
    return [str(ticket.fields[k]) for k in spec.personal_fields if ticket.fields.get(k)]
