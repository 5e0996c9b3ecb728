"""PROVISIONAL signatures; the implementation is in progress (issue 3)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.domain.model import Deadline, Event, Outcome, Ticket
from engine.spec.model import Spec


def new_ticket(
    spec: Spec,
    ticket_id: str,
    fields: dict[str, Any],
    now: datetime,
    *,
    actor: str | None = None,
    user: str | None = None,
) -> Outcome:
    raise NotImplementedError


def apply(spec: Spec, ticket: Ticket, event: Event, now: datetime) -> Outcome:
    raise NotImplementedError


def due(spec: Spec, ticket: Ticket, now: datetime) -> list[Event]:
    raise NotImplementedError


def allowed_events(spec: Spec, ticket: Ticket) -> list[str]:
    raise NotImplementedError


def pending_deadlines(ticket: Ticket) -> list[Deadline]:
    raise NotImplementedError
