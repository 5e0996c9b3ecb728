"""The users table's rows: personal accounts (engine.app.accounts holds their logic).

Mixed into `engine.store.store.Tx`; every method runs on `self.conn`. The password is handed
in and out as its hash only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from engine.store.tables import UserRow

USERS = UserRow.__table__


@dataclass(frozen=True)
class UserRecord:
    login: str
    display_name: str
    password_hash: str = field(repr=False)
    actors: tuple[str, ...]
    roles: tuple[str, ...]
    scope: tuple[str, str] | None  # (field, value)
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created: datetime
    updated: datetime


class UserOps:
    conn: Connection

    def user(self, login: str, *, for_update: bool = False) -> UserRecord | None:
        query = select(USERS).where(USERS.c.login == login)
        if for_update:
            query = query.with_for_update()
        row = self.conn.execute(query).one_or_none()
        return _record(row) if row is not None else None

    def users(self) -> list[UserRecord]:
        rows = self.conn.execute(select(USERS).order_by(USERS.c.login))
        return [_record(row) for row in rows]

    def insert_user(self, record: UserRecord) -> None:
        self.conn.execute(insert(UserRow).values(**_values(record)))

    def update_user(self, login: str, **changes: Any) -> None:
        """Set some columns of one user (`scope` as a (field, value) pair or None)."""
        if "scope" in changes:
            scope = changes.pop("scope")
            changes["scope_field"], changes["scope_value"] = scope if scope else (None, None)
        for name in ("actors", "roles"):
            if name in changes:
                changes[name] = list(changes[name])
        self.conn.execute(update(UserRow).where(USERS.c.login == login).values(**changes))


def _values(record: UserRecord) -> dict[str, Any]:
    scope_field, scope_value = record.scope if record.scope else (None, None)
    return {
        "login": record.login,
        "display_name": record.display_name,
        "password_hash": record.password_hash,
        "actors": list(record.actors),
        "roles": list(record.roles),
        "scope_field": scope_field,
        "scope_value": scope_value,
        "disabled": record.disabled,
        "failed_attempts": record.failed_attempts,
        "locked_until": record.locked_until,
        "created": record.created,
        "updated": record.updated,
    }


def _record(row: Row[Any]) -> UserRecord:
    scope = (row.scope_field, row.scope_value) if row.scope_field and row.scope_value else None
    return UserRecord(
        login=row.login,
        display_name=row.display_name,
        password_hash=row.password_hash,
        actors=tuple(row.actors),
        roles=tuple(row.roles),
        scope=scope,
        disabled=row.disabled,
        failed_attempts=row.failed_attempts,
        locked_until=row.locked_until,
        created=row.created,
        updated=row.updated,
    )
