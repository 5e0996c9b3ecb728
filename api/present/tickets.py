"""Tickets, timeline entries and notifications as the API shows them to one reader.

One presenter per record; its schema in `api.schemas` picks the keys, so a record's keys are
listed in the record and its schema only. What the presenters add is the reader's view of
personal data (masked by `engine.core.masking`, the rule the core masks notifications with)
and the core's answer to "is it overdue?" (`engine.core.timing`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from api.present.sops import status_ref, step_number
from engine.app.service import TicketRecord, TicketService
from engine.core.checks import Missing, accepted_by, missing_inputs
from engine.core.masking import Masker, ticket_masker
from engine.core.model import Deadline, LogEntry, RuleFiring, Ticket, performer
from engine.core.signoff_runs import run_step
from engine.core.timing import deadline_overdue, ticket_overdue
from engine.spec.labels import event_label
from engine.spec.model import END, EventDef, SignOff, Spec, Step


@dataclass(frozen=True)
class Reader:
    """Who the view is for: whether personal data is shown. A reader without access sees it
    masked by the ticket's `Masker` (`TicketService.maskers`): personal fields whole, and in
    free text every value they have had, phone numbers, e-mail addresses and NIKs."""

    sees_personal_data: bool

    def fields(self, values: Mapping[str, Any], masker: Masker) -> dict[str, Any]:
        """`values` as this reader may see them."""
        return dict(values) if self.sees_personal_data else masker.fields(values)

    def masked(self, values: Mapping[str, Any], masker: Masker) -> list[str]:
        """The keys `fields` hides from this reader, whole or in part."""
        return [] if self.sees_personal_data else masker.masked(values)

    def text(self, text: str, masker: Masker) -> str:
        """Free text (a notification, a rule's reason) as this reader may see it."""
        return text if self.sees_personal_data else masker.text(text)


def reader_maskers(
    service: TicketService, records: Iterable[TicketRecord], who: Reader
) -> dict[str, Masker]:
    """Per ticket (by id), what hides its personal data from `who`. A reader with access needs
    none, so the log is read (for the values each ticket had before) only for one without."""
    records = list(records)
    if who.sees_personal_data:
        return {r.id: ticket_masker(r.spec) for r in records}
    return service.maskers(records)


def allowed_view(record: TicketRecord) -> list[dict[str, Any]]:
    """The ticket's `allowed_events` as `ticket_view` gives them (they hold no personal data)."""
    return _allowed(record.spec, record.ticket, record.allowed_events)


def _step_ref(spec: Spec, ticket: Ticket, now: datetime) -> dict[str, Any] | None:
    """The current step of an open ticket, with its run's times (two records in one view)."""
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
        "breached": ticket_overdue(ticket, now),
    }


def _shown_deadlines(ticket: Ticket, pending: Iterable[Deadline]) -> list[Deadline]:
    """The pending deadlines, after the current step's time limit once it has fired: no longer
    pending, but the reader should see it passed while the step runs on."""
    run = ticket.active
    if ticket.is_open and run is not None and run.due is not None and run.breached_at is not None:
        return [Deadline(ticket.id, "sla", run.step, run.due), *pending]
    return list(pending)


def deadline_view(spec: Spec, deadline: Deadline, now: datetime) -> dict[str, Any]:
    """A deadline with its step's number (for a time limit, a sign-off's too) and whether it is
    overdue at `now`."""
    sla = deadline.kind == "sla"
    return {
        **vars(deadline),  # its own keys, shallow (asdict would deep-copy them)
        "step_number": step_number(spec, run_step(deadline.name)) if sla else None,
        "overdue": deadline_overdue(deadline, now),
    }


def _allowed(spec: Spec, ticket: Ticket, names: Iterable[str]) -> list[dict[str, Any]]:
    """The current step's events among `names`, in the order given, each with what it still
    needs and where that can be given (`AllowedEventSchema` dumps them). A sign-off's event is
    not a step event: it is offered by the sign-off's words and performer, and leaves the
    ticket in its step."""
    if not names or ticket.state == END:
        return []
    step = spec.step(ticket.state)
    out = []
    for name in names:
        signoff, ev = _signoff(step, name), step.event(name)
        if signoff is not None:
            out.append(_allowed_signoff(signoff))
        elif ev is not None:
            out.append(_allowed_event(spec, step, ticket, ev))
    return out


def _signoff(step: Step, name: str) -> SignOff | None:
    return next((s for s in step.signoffs if s.event == name), None)


def _allowed_signoff(signoff: SignOff) -> dict[str, Any]:
    return {
        "name": signoff.event,
        "display_name": signoff.text,
        "by": (signoff.performer,),
        "requires": (),
        "accepts": (),
        "targets": (),
        "needs": [],
        "missing": [],
        "ready": True,
        "signoff": signoff.id,
    }


def _allowed_event(spec: Spec, step: Step, ticket: Ticket, ev: EventDef) -> dict[str, Any]:
    missing = missing_inputs(spec, step, ev, ticket.fields)
    return {
        "name": ev.name,
        "display_name": ev.display_name,
        "by": ev.by,
        "requires": ev.requires,
        "accepts": ev.accepts,
        "targets": ev.targets,
        "needs": [
            {"id": f, "label": spec.field_def(f).label, "missing": _set_first(missing, f)}
            for f in ev.needs
        ],
        "missing": [
            {
                "id": m.field,
                "label": m.label,
                "input": m.input,
                "accepted": m.field in ev.accepts and not m.set_first,
                "accepted_by": [
                    p.as_dict() for p in accepted_by(spec, step, ev, m.field, set_first=m.set_first)
                ],
            }
            for m in missing.values()
        ],
        "ready": not missing,
        "signoff": None,
    }


def _set_first(missing: Mapping[str, Missing], key: str) -> bool:
    return key in missing and missing[key].set_first


def entry_label(spec: Spec, event: str, step_id: str) -> str:
    """What people read for a timeline entry's event at `step_id`: a sign-off's words, else
    the event's label in the SOP (its id when it has none)."""
    try:
        signoff = _signoff(spec.step(step_id), event)
    except KeyError:  # `end`, or the entry that opened the ticket
        signoff = None
    return signoff.text if signoff is not None else event_label(spec, event, step_id)


def ticket_view(
    record: TicketRecord, now: datetime, reader: Reader, masker: Masker
) -> dict[str, Any]:
    """The ticket as `TicketSchema` dumps it. Its keys are listed here (not read off the record
    wholesale) so that nothing personal reaches a page or a body unmasked by accident."""
    spec, ticket = record.spec, record.ticket
    return {
        "id": ticket.id,
        "sop": ticket.sop_id,
        "revision": ticket.revision,
        "spec_hash": ticket.spec_hash,
        "version": ticket.version,
        "state": ticket.state,
        "step": _step_ref(spec, ticket, now),
        "status": status_ref(spec, ticket.status),
        "fields": reader.fields(ticket.fields, masker),
        "masked": reader.masked(ticket.fields, masker),
        "deadlines": [
            deadline_view(spec, d, now) for d in _shown_deadlines(ticket, record.deadlines)
        ],
        "allowed_events": allowed_view(record),
        "open": ticket.is_open,
        "overdue": ticket_overdue(ticket, now),
        "created": ticket.created,
        "closed": ticket.closed,
        "external_ref": record.external_ref,
        "refs": [{"source": source, "id": ref} for source, ref in record.refs],
    }


def entry_view(
    spec: Spec, entry: LogEntry | Mapping[str, Any], reader: Reader, masker: Masker
) -> dict[str, Any]:
    """A log entry (the record, or the store's timeline dict of it) with its data and the
    values its rules read as the reader may see them, and its event's label;
    `TimelineEntrySchema` dumps it."""
    keys = dict(vars(entry)) if isinstance(entry, LogEntry) else dict(entry)
    return {
        **keys,
        "actor": performer(keys.get("actor")),
        "data": reader.fields(keys.get("data") or {}, masker),
        "rules": [_firing_view(firing, reader, masker) for firing in keys.get("rules") or ()],
        "event_label": entry_label(spec, str(keys["event"]), str(keys.get("from_state") or "")),
    }


def _firing_view(firing: RuleFiring | Mapping[str, Any], reader: Reader, masker: Masker) -> Any:
    """A rule's decision record: the core masked the personal fields it read; free text it
    read (in its inputs and its reason) is masked here for a reader without access."""
    if reader.sees_personal_data:
        return firing
    keys = dict(vars(firing)) if isinstance(firing, RuleFiring) else dict(firing)
    inputs = {
        name: masker.value(value) if name.partition(".")[2] in masker.free_text else value
        for name, value in (keys.get("inputs") or {}).items()
    }
    return {**keys, "reason": masker.text(str(keys.get("reason") or "")), "inputs": inputs}


def notification_view(note: Mapping[str, Any], reader: Reader, masker: Masker) -> dict[str, Any]:
    """An outbox item; without personal-data access the ticket's personal values (and phone
    numbers, e-mail addresses, NIKs) are masked wherever the text contains them (a rule may
    have filled them in: `include_personal`)."""
    return {**note, "text": reader.text(str(note.get("text") or ""), masker)}
