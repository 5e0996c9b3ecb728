"""The subscriptions table's rows (engine.app.subscriptions holds their logic).

Mixed into `engine.store.store.Tx`; every method runs on `self.conn`. A deliverer claims a
subscription by setting its lease with a conditional update, so two server processes never
send one subscriber's changes at the same time (which would break their order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select, update

from engine.store.tables import SubscriptionRow

SUBS = SubscriptionRow.__table__


@dataclass(frozen=True)
class Subscription:
    id: str
    url: str
    secret: str = field(repr=False)
    role: str
    sop_id: str | None
    event: str | None
    scope: tuple[str, str] | None
    cursor: int
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created: datetime


class SubscriptionOps:
    conn: Connection

    def insert_subscription(self, sub: Subscription) -> None:
        self.conn.execute(insert(SubscriptionRow).values(**_values(sub)))

    def subscriptions(self) -> list[Subscription]:
        rows = self.conn.execute(select(SUBS).order_by(SUBS.c.created, SUBS.c.id))
        return [_record(r) for r in rows]

    def subscription(self, sub_id: str) -> Subscription | None:
        row = self.conn.execute(select(SUBS).where(SUBS.c.id == sub_id)).one_or_none()
        return _record(row) if row is not None else None

    def delete_subscription(self, sub_id: str) -> bool:
        return bool(self.conn.execute(delete(SubscriptionRow).where(SUBS.c.id == sub_id)).rowcount)

    def claim_subscription(self, sub_id: str, now: datetime, until: datetime) -> bool:
        """Take the subscription's lease if it is due and nobody holds it."""
        done = self.conn.execute(
            update(SubscriptionRow)
            .where(
                SUBS.c.id == sub_id,
                SUBS.c.next_attempt_at <= now,
                or_(SUBS.c.lease_until.is_(None), SUBS.c.lease_until < now),
            )
            .values(lease_until=until)
        )
        return bool(done.rowcount)

    def subscription_moved(
        self,
        sub_id: str,
        *,
        cursor: int,
        attempts: int,
        next_attempt_at: datetime,
        error: str | None,
        release: bool,
    ) -> None:
        values: dict[str, Any] = {
            "cursor": cursor,
            "attempts": attempts,
            "next_attempt_at": next_attempt_at,
            "last_error": error,
        }
        if release:
            values["lease_until"] = None
        self.conn.execute(update(SubscriptionRow).where(SUBS.c.id == sub_id).values(**values))


def _values(sub: Subscription) -> dict[str, Any]:
    return {
        "id": sub.id,
        "url": sub.url,
        "secret": sub.secret,
        "role": sub.role,
        "sop_id": sub.sop_id,
        "event": sub.event,
        "scope_field": sub.scope[0] if sub.scope else None,
        "scope_value": sub.scope[1] if sub.scope else None,
        "cursor": sub.cursor,
        "attempts": sub.attempts,
        "next_attempt_at": sub.next_attempt_at,
        "lease_until": None,
        "last_error": sub.last_error,
        "created": sub.created,
    }


def _record(row: Any) -> Subscription:
    scope = (row.scope_field, row.scope_value) if row.scope_field else None
    return Subscription(
        id=row.id,
        url=row.url,
        secret=row.secret,
        role=row.role,
        sop_id=row.sop_id,
        event=row.event,
        scope=scope,
        cursor=int(row.cursor),
        attempts=int(row.attempts),
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created=row.created,
    )
