"""What a metrics scrape reads from the store, in one read transaction (`read_gauges`):

    open tickets       per SOP and step (tickets without a `closed` time, by `state`)
    deadlines due      not yet applied (due by `now`, not set aside by the sweeper) and the
                       oldest one's due time: the sweeper's lag is `now` minus that
    outbox             notifications waiting (`pending`), those of them already retried at
                       least once, and dead letters

Each is an index range or an index-only scan: the open-ticket count reads
`ix_tickets_open_sop_state` (migration 0006), not the ticket records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from engine.store.outbox import DEAD, PENDING
from engine.store.tables import DeadlineRow, OutboxRow, TicketRow


@dataclass(frozen=True)
class Gauges:
    open_tickets: tuple[tuple[str, str, int], ...]  # (sop id, step, tickets), in that order
    deadlines_due: int
    oldest_due: datetime | None  # the earliest due deadline not yet applied; None: none due
    outbox_pending: int
    outbox_retrying: int  # pending after at least one failed attempt
    outbox_dead: int


def read_gauges(conn: Connection, now: datetime) -> Gauges:
    open_rows = conn.execute(
        select(TicketRow.sop_id, TicketRow.state, func.count())
        .where(TicketRow.closed.is_(None))
        .group_by(TicketRow.sop_id, TicketRow.state)
        .order_by(TicketRow.sop_id, TicketRow.state)
    )
    due_count, oldest = conn.execute(
        select(func.count(), func.min(DeadlineRow.due)).where(
            DeadlineRow.due <= now, DeadlineRow.checked.is_(None)
        )
    ).one()
    outbox = dict(
        conn.execute(  # type: ignore[arg-type]
            select(OutboxRow.status, func.count())
            .where(OutboxRow.status.in_((PENDING, DEAD)))
            .group_by(OutboxRow.status)
        ).all()
    )
    retrying = conn.scalar(
        select(func.count()).where(OutboxRow.status == PENDING, OutboxRow.attempts > 0)
    )
    return Gauges(
        open_tickets=tuple((sop, step, int(n)) for sop, step, n in open_rows),
        deadlines_due=int(due_count or 0),
        oldest_due=oldest,  # min() keeps the column's type: read back timezone-aware
        outbox_pending=int(outbox.get(PENDING, 0)),
        outbox_retrying=int(retrying or 0),
        outbox_dead=int(outbox.get(DEAD, 0)),
    )
