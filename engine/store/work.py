"""Work queues: the open tickets waiting at a given set of (SOP, step) pairs, and their counts.

Mixed into `engine.store.store.Tx`; every method runs on `self.conn`.

    work_items(now=, steps=, scope=, state=, status=, q=, text_fields=, limit=)
        -> [(Ticket, external_ref)]   overdue first, then by the open time limit's due time
                                      (none last), then by id
    work_counts(now=, steps=, scope=, status=, q=, text_fields=)
        -> {(sop_id, state): n}       the same filters but `state`, one GROUP BY

`steps`: {sop_id: step ids}; None: every open ticket (a reader who may act as any actor).
`q`: a ticket id or external reference (exactly), or a piece of text found, in any letter case,
in the values of `text_fields` (ticket field ids the caller chose: which fields a reader may
search is the caller's decision, so a search cannot find a ticket by a value the reader sees
masked). Letter case is folded by the database's `lower()`: SQLite folds ASCII letters only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, exists, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from engine.core.model import Ticket
from engine.store import codec
from engine.store.queries import in_scope, overdue_condition
from engine.store.tables import DeadlineRow, TicketRefRow, TicketRow


class WorkQueries:
    conn: Connection

    def work_items(
        self,
        *,
        now: datetime,
        steps: Mapping[str, Collection[str]] | None,
        scope: Mapping[str, str] | None = None,
        state: str | None = None,
        status: str | None = None,
        q: str | None = None,
        text_fields: Collection[str] = (),
        limit: int = 50,
    ) -> list[tuple[Ticket, str | None]]:
        conds = _conditions(steps, scope, status, q, text_fields)
        if state is not None:
            conds.append(TicketRow.state == state)
        due = (
            select(func.min(DeadlineRow.due))
            .where(DeadlineRow.ticket_id == TicketRow.id, DeadlineRow.kind == "sla")
            .scalar_subquery()
        )
        stmt = (
            select(TicketRow.record, TicketRow.external_ref)
            .where(*conds)
            .order_by(
                case((overdue_condition(now), 0), else_=1),
                case((due.is_(None), 1), else_=0),
                due,
                TicketRow.id,
            )
            .limit(limit)
        )
        return [(codec.decode(Ticket, r.record), r.external_ref) for r in self.conn.execute(stmt)]

    def work_counts(
        self,
        *,
        now: datetime,
        steps: Mapping[str, Collection[str]] | None,
        scope: Mapping[str, str] | None = None,
        status: str | None = None,
        q: str | None = None,
        text_fields: Collection[str] = (),
    ) -> dict[tuple[str, str], dict[str, int]]:
        """Per (SOP, step): the tickets (`open`) and how many of them are overdue (`late`)."""
        late = func.sum(case((overdue_condition(now), 1), else_=0))
        stmt = (
            select(TicketRow.sop_id, TicketRow.state, func.count().label("n"), late.label("late"))
            .where(*_conditions(steps, scope, status, q, text_fields))
            .group_by(TicketRow.sop_id, TicketRow.state)
        )
        return {
            (r.sop_id, r.state): {"open": int(r.n), "late": int(r.late or 0)}
            for r in self.conn.execute(stmt)
        }


def _conditions(
    steps: Mapping[str, Collection[str]] | None,
    scope: Mapping[str, str] | None,
    status: str | None,
    q: str | None,
    text_fields: Collection[str],
) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [TicketRow.closed.is_(None)]
    if steps is not None:
        pairs = [
            and_(TicketRow.sop_id == sop_id, TicketRow.state.in_(sorted(states)))
            for sop_id, states in sorted(steps.items())
            if states
        ]
        conds.append(or_(*pairs) if pairs else false())
    conds += in_scope(TicketRow.id, scope)
    if status is not None:
        conds.append(TicketRow.status == status)
    if q:
        conds.append(_search(q, text_fields))
    return conds


def _search(q: str, text_fields: Collection[str]) -> ColumnElement[bool]:
    needle = q.lower()
    found: list[ColumnElement[Any]] = [
        TicketRow.id == q,
        TicketRow.external_ref == q,
        exists().where(TicketRefRow.ticket_id == TicketRow.id, TicketRefRow.ref == q),
    ]
    for field in sorted(text_fields):
        value = TicketRow.record[("fields", field)].as_string()
        found.append(func.lower(value).contains(needle, autoescape=True))
    return or_(*found)
