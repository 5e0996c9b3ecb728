"""The store's tables (SQLAlchemy 2 declarative models). Alembic revisions mirror these.

    tickets        one row per ticket: its current record (JSON) and the columns filters use
    ticket_scopes  (ticket, scope field, value): lets a scoped actor's tickets be found by index
    events         the append-only log: one row per LogEntry, in order (seq) per ticket, each
                   chained to the ticket's previous entry by hash (engine.store.chain)
    deadlines      every pending deadline of every open ticket, indexed by due time
    outbox         notifications to deliver; `id` is the polling cursor
    revisions      each SOP revision's exact text and its rules files' texts, by content hash
    idempotency    a request key (per ticket, or for creation) -> the request's hash and result

Times are stored in UTC (`UtcDateTime`) and read back timezone-aware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only makes INTEGER PRIMARY KEY an auto-incrementing rowid; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC (naive UTC on SQLite, timestamptz elsewhere)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store a naive datetime {value.isoformat()}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    sop_id: Mapped[str] = mapped_column(String(200), index=True)
    revision: Mapped[str] = mapped_column(String(100))
    spec_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str | None] = mapped_column(String(200), index=True)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)  # the active step's SLA fired
    version: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    closed: Mapped[datetime | None] = mapped_column(UtcDateTime)
    external_ref: Mapped[str | None] = mapped_column(String(200), index=True)
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated: Mapped[datetime] = mapped_column(UtcDateTime)  # wall-clock time of the last write


class TicketScopeRow(Base):
    __tablename__ = "ticket_scopes"

    ticket_id: Mapped[str] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # the scope field's id
    value: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_ticket_scopes_name_value", "name", "value", "ticket_id"),)


class EventRow(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per ticket, in order
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    event: Mapped[str] = mapped_column(String(200))
    actor: Mapped[str] = mapped_column(String(200))
    user: Mapped[str | None] = mapped_column(String(200))
    from_state: Mapped[str] = mapped_column(String(200))
    to_state: Mapped[str] = mapped_column(String(200))
    from_status: Mapped[str | None] = mapped_column(String(200))
    to_status: Mapped[str | None] = mapped_column(String(200))
    sop_id: Mapped[str] = mapped_column(String(200))
    revision: Mapped[str] = mapped_column(String(100))
    spec_hash: Mapped[str] = mapped_column(String(64))
    caused_by: Mapped[str | None] = mapped_column(String(200))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    recorded: Mapped[datetime] = mapped_column(UtcDateTime)  # wall-clock time of the write
    entry: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole LogEntry
    # The hash chain (engine.store.chain): the ticket's previous entry_hash (64 zeros for the
    # first), and sha256 over this entry's canonical JSON and prev_hash. NULL only if unwritten.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("ticket_id", "seq", name="uq_events_ticket_seq"),
        UniqueConstraint("ticket_id", "idempotency_key", name="uq_events_ticket_idempotency"),
    )


class DeadlineRow(Base):
    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "sla" or "timer"
    name: Mapped[str] = mapped_column(String(200))
    due: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    # Set when the sweeper found nothing to apply for a due row (kept out of later sweeps).
    checked: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notification_id: Mapped[str] = mapped_column(String(200), unique=True)
    ticket_id: Mapped[str] = mapped_column(String(40), index=True)
    to_actor: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(200))
    scope_name: Mapped[str | None] = mapped_column(String(200))
    scope_value: Mapped[str | None] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # the whole Notification
    status: Mapped[str] = mapped_column(String(20), default="pending")  # delivered, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    last_error: Mapped[str | None] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(UtcDateTime)  # wall-clock time of the write
    delivered: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)


class RevisionRow(Base):
    __tablename__ = "revisions"

    spec_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    sop_id: Mapped[str] = mapped_column(String(200), index=True)
    revision: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)  # the revision file, exactly
    rules: Mapped[dict[str, str]] = mapped_column(JSON)  # rules file id -> its exact text
    stored: Mapped[datetime] = mapped_column(UtcDateTime)


class IdempotencyRow(Base):
    __tablename__ = "idempotency"

    scope: Mapped[str] = mapped_column(String(250), primary_key=True)  # ticket id, or "create"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(40))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(UtcDateTime)
