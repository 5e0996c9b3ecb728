"""Outbox operations for the notifier: claim due rows, record each delivery attempt.

Mixed into `engine.store.store.Tx`. A claim moves the rows' `next_attempt_at` forward by a
lease, in its own short transaction, so another worker does not pick them up while they are
being delivered (on PostgreSQL, `FOR UPDATE SKIP LOCKED` keeps two claims apart); a pass that
takes longer renews the lease of the rows it has yet to send (`renew_lease`). If the
worker dies mid-delivery the lease runs out and the rows are delivered again: delivery is
at-least-once, and each notification carries a stable id for receivers to drop duplicates.

Dead letters (`dead_letters`, `redeliver`): a redelivery puts dead rows back to pending with
their attempts at 0 and due now; the channels that took a notification stay done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, select, update

from engine.core.model import Notification
from engine.store import codec
from engine.store.tables import OutboxRow

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
DELIVERY_STATUSES = (PENDING, DELIVERED, DEAD)


@dataclass(frozen=True)
class Claimed:
    outbox_id: int
    notification: Notification
    attempts: int  # attempts made before this one
    done_channels: tuple[str, ...]  # channels that already took it (skipped on a retry)
    scope_field: str | None
    leased_until: datetime  # the claim's lease (`renew_lease` moves it; another's lease differs)


@dataclass(frozen=True)
class DeadLetter:
    outbox_id: int
    notification: Notification
    attempts: int
    done_channels: tuple[str, ...]
    last_error: str | None


class OutboxOps:
    conn: Connection

    def dead_letters(
        self,
        *,
        after: int = 0,
        limit: int = 500,
        ids: Sequence[str] | None = None,
        ticket_id: str | None = None,
    ) -> list[DeadLetter]:
        """Dead rows after the outbox id `after`, in outbox order, of these notification ids
        and this ticket when given."""
        conds: list[ColumnElement[bool]] = [OutboxRow.status == DEAD, OutboxRow.id > after]
        if ids is not None:
            conds.append(OutboxRow.notification_id.in_(list(ids)))
        if ticket_id is not None:
            conds.append(OutboxRow.ticket_id == ticket_id)
        rows = self.conn.execute(
            select(OutboxRow.__table__).where(*conds).order_by(OutboxRow.id).limit(limit)
        )
        return [
            DeadLetter(
                r.id,
                codec.decode(Notification, r.payload),
                r.attempts,
                tuple(r.done_channels or ()),
                r.last_error,
            )
            for r in rows
        ]

    def delivery_statuses(self, ids: Sequence[str]) -> dict[str, str]:
        """Notification id -> its delivery status, for those of `ids` in the outbox."""
        rows = self.conn.execute(
            select(OutboxRow.notification_id, OutboxRow.status).where(
                OutboxRow.notification_id.in_(list(ids))
            )
        )
        return {r.notification_id: r.status for r in rows}

    def redeliver(self, outbox_ids: Sequence[int], now: datetime) -> int:
        """Put these dead rows back to pending, attempts 0, due `now`; how many were still
        dead (a row another redelivery took first is left alone)."""
        result = self.conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(list(outbox_ids)), OutboxRow.status == DEAD)
            .values(status=PENDING, attempts=0, next_attempt_at=now)
        )
        return int(result.rowcount)

    def claim_outbox(self, now: datetime, limit: int, lease: timedelta) -> list[Claimed]:
        stmt = (
            select(OutboxRow.__table__)
            .where(OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now)
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        rows = self.conn.execute(stmt).all()
        if not rows:
            return []
        self.conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([r.id for r in rows]))
            .values(next_attempt_at=now + lease)
        )
        return [
            Claimed(
                r.id,
                codec.decode(Notification, r.payload),
                r.attempts,
                tuple(r.done_channels or ()),
                r.scope_name,
                now + lease,
            )
            for r in rows
        ]

    def renew_lease(self, outbox_ids: Sequence[int], held: datetime, until: datetime) -> set[int]:
        """Move the lease of these claimed rows from `held` (the lease this worker holds) to
        `until`; returns the ids it still held. A row whose lease ran out and that another
        worker claimed (or that was delivered meanwhile) is not renewed and not returned."""
        if not outbox_ids:
            return set()
        result = self.conn.execute(
            update(OutboxRow)
            .where(
                OutboxRow.id.in_(list(outbox_ids)),
                OutboxRow.status == PENDING,
                OutboxRow.next_attempt_at == held,
            )
            .values(next_attempt_at=until)
            .returning(OutboxRow.id)
        )
        return set(result.scalars())

    def outbox_delivered(self, outbox_id: int, channels: Sequence[str], now: datetime) -> None:
        self.conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id == outbox_id)
            .values(
                status=DELIVERED,
                attempts=OutboxRow.attempts + 1,
                done_channels=list(channels),
                delivered=now,
                last_error=None,
            )
        )

    def outbox_failed(
        self,
        outbox_id: int,
        channels: Sequence[str],
        error: str,
        *,
        retry_at: datetime | None,
    ) -> None:
        """Record a failed attempt: retry at `retry_at`, or dead-letter when it is None."""
        values: dict[str, object] = {
            "attempts": OutboxRow.attempts + 1,
            "done_channels": list(channels),
            "last_error": error[:2000],
        }
        if retry_at is None:
            values["status"] = DEAD
        else:
            values["next_attempt_at"] = retry_at
        self.conn.execute(update(OutboxRow).where(OutboxRow.id == outbox_id).values(values))
