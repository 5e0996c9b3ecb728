"""Read queries: ticket lists with filters, the timeline, the outbox as a feed.

Mixed into `engine.store.store.Tx`; every method runs on `self.conn`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from engine.core.model import LogEntry, Notification, Ticket
from engine.store import codec
from engine.store.tables import DeadlineRow, EventRow, OutboxRow, TicketRow, TicketScopeRow


class Queries:
    conn: Connection

    def list_tickets(
        self,
        *,
        now: datetime,
        sop_id: str | None = None,
        state: str | None = None,
        status: str | None = None,
        scope: Mapping[str, str] | None = None,
        overdue: bool | None = None,
        open: bool | None = None,
        limit: int = 50,
        before: str | None = None,
        created_from: datetime | None = None,
        created_to: datetime | None = None,
    ) -> list[tuple[Ticket, str | None]]:
        """Tickets matching every filter given, newest first; `before`: an id (the cursor).
        `open`: True for tickets that have not left the SOP (no `closed` time), False for
        those that have (`Ticket.is_open`). `created_from`/`created_to`: the ticket's `created`
        (its receipt, which may be earlier than its id says) within them, both included."""
        stmt = select(TicketRow.record, TicketRow.external_ref)
        conds: list[ColumnElement[bool]] = []
        if sop_id is not None:
            conds.append(TicketRow.sop_id == sop_id)
        if state is not None:
            conds.append(TicketRow.state == state)
        if status is not None:
            conds.append(TicketRow.status == status)
        conds += in_scope(TicketRow.id, scope)
        if open is not None:
            conds.append(TicketRow.closed.is_(None) if open else TicketRow.closed.is_not(None))
        if overdue is not None:
            late = overdue_condition(now)
            conds.append(late if overdue else not_(late))
        if before is not None:
            conds.append(TicketRow.id < before)
        if created_from is not None:
            conds.append(TicketRow.created >= created_from)
        if created_to is not None:
            conds.append(TicketRow.created <= created_to)
        stmt = stmt.where(*conds).order_by(TicketRow.id.desc()).limit(limit)
        return [(codec.decode(Ticket, r.record), r.external_ref) for r in self.conn.execute(stmt)]

    def timeline(self, ticket_id: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            select(EventRow.seq, EventRow.recorded, EventRow.entry)
            .where(EventRow.ticket_id == ticket_id)
            .order_by(EventRow.seq)
        )
        return [
            {"seq": r.seq, "recorded": r.recorded, **asdict(codec.decode(LogEntry, r.entry))}
            for r in rows
        ]

    def outbox_feed(
        self,
        *,
        after: int = 0,
        limit: int = 100,
        to: str | None = None,
        scope: Mapping[str, str] | None = None,
        ticket_id: str | None = None,
        status: str | None = None,
        channel: str | None = None,
    ) -> list[dict[str, Any]]:
        """Outbox rows after the cursor `after` (an outbox id), oldest first, matching every
        filter given. One ticket's rows are read by the `ticket_id` index; the other filters
        are checked on the rows read in cursor order."""
        conds: list[ColumnElement[bool]] = [OutboxRow.id > after]
        if ticket_id is not None:
            conds.append(OutboxRow.ticket_id == ticket_id)
        if to is not None:
            conds.append(OutboxRow.to_actor == to)
        if status is not None:
            conds.append(OutboxRow.status == status)
        if channel is not None:
            conds.append(OutboxRow.channel == channel)
        if scope:
            conds.append(
                or_(
                    *(
                        and_(OutboxRow.scope_name == k, OutboxRow.scope_value == str(v))
                        for k, v in scope.items()
                    )
                )
            )
        rows = self.conn.execute(
            select(OutboxRow.__table__).where(*conds).order_by(OutboxRow.id).limit(limit)
        )
        return [outbox_item(r) for r in rows]


def in_scope(
    ticket_id: ColumnElement[str] | InstrumentedAttribute[str], scope: Mapping[str, str] | None
) -> list[ColumnElement[bool]]:
    """The conditions that the ticket whose id is `ticket_id` has each scope field's value."""
    return [
        exists().where(
            TicketScopeRow.ticket_id == ticket_id,
            TicketScopeRow.name == name,
            TicketScopeRow.value == str(value),
        )
        for name, value in (scope or {}).items()
    ]


def overdue_condition(now: datetime) -> ColumnElement[bool]:
    """Open, and the active step's SLA has fired, or is due and not yet swept."""
    sla_due = exists().where(
        DeadlineRow.ticket_id == TicketRow.id,
        DeadlineRow.kind == "sla",
        DeadlineRow.due <= now,
    )
    return and_(TicketRow.closed.is_(None), or_(TicketRow.breached.is_(True), sla_due))


def outbox_item(row: Any) -> dict[str, Any]:
    """One outbox row (a result row of the `outbox` table) as a feed item."""
    return {
        "cursor": row.id,
        **asdict(codec.decode(Notification, row.payload)),
        "scope_field": row.scope_name,
        "delivery": {
            "status": row.status,
            "attempts": row.attempts,
            "next_attempt_at": row.next_attempt_at,
            "delivered": row.delivered,
            "last_error": row.last_error,
            "channels_done": list(row.done_channels or ()),
        },
        "queued": row.created,
    }
