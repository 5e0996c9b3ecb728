"""The store's tables (SQLAlchemy 2 declarative models). Alembic revisions mirror these.

    tickets        one row per ticket: its current record (JSON) and the columns filters use
    ticket_scopes  (ticket, scope field, value): lets a scoped actor's tickets be found by index
    ticket_runs    the step runs a ticket finished, one row each, written once when it finishes:
                   the record holds only what deciding the next event reads
    events         the append-only log: one row per LogEntry, in order (seq) per ticket, each
                   chained to the ticket's previous entry by hash (engine.store.chain)
    deadlines      every pending deadline of every open ticket, indexed by due time
    outbox         notifications to deliver; `id` is the polling cursor
    revisions      each SOP revision's exact text and its rules files' texts, by content hash
    idempotency    a request key (per ticket, or per caller for openings) -> its hash and result
    step_runs      one row per visit of a ticket to a step: a read model of the events, written
                   in each event's transaction by the handlers the application registers
    periodic_runs  one row per period a periodic step of an SOP ran (its primary key lets one
                   worker claim a period)
    ticket_refs    (source system, its reference) -> ticket: ids other systems gave a ticket; a
                   pair names one ticket at most
    subscriptions  webhook subscribers of the change feed: where, how signed, what they
                   follow, and how far each has taken it (its cursor)
    users          personal accounts (web sign-in): login, argon2 password hash, the actors,
                   roles and scope they act with, and the lock-out state

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
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
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

    # The open tickets' (SOP, step) pairs: counted per scrape by /metrics (engine.store.gauges).
    __table_args__ = (
        Index(
            "ix_tickets_open_sop_state",
            "sop_id",
            "state",
            sqlite_where=text("closed IS NULL"),
            postgresql_where=text("closed IS NULL"),
        ),
    )


class TicketScopeRow(Base):
    __tablename__ = "ticket_scopes"

    ticket_id: Mapped[str] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # the scope field's id
    value: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_ticket_scopes_name_value", "name", "value", "ticket_id"),)


class TicketRunRow(Base):
    """A finished step run of a ticket (`StepRun`, as JSON): `visit` 0, 1, ... in the order they
    finished. Never updated: a finished run does not change."""

    __tablename__ = "ticket_runs"

    ticket_id: Mapped[str] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    visit: Mapped[int] = mapped_column(Integer, primary_key=True)
    run: Mapped[dict[str, Any]] = mapped_column(JSON)


class TicketRefRow(Base):
    __tablename__ = "ticket_refs"

    source: Mapped[str] = mapped_column(String(100), primary_key=True)  # e.g. the national system
    ref: Mapped[str] = mapped_column(String(200), primary_key=True)  # its id for the ticket
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    created: Mapped[datetime] = mapped_column(UtcDateTime)


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

    scope: Mapped[str] = mapped_column(String(250), primary_key=True)  # ticket id, "create:<user>"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[str] = mapped_column(String(40))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[datetime] = mapped_column(UtcDateTime)


# step_runs is read by aggregates grouped by (SOP, step, scope value, ...) over a period: the
# GROUP BY keys come first, then the period column. SQLite has no hash aggregate, so a GROUP BY
# whose rows do not come in group order sorts them all (0.5-0.7 s for a year of 830,000 runs,
# per query); read in this order, a query over the whole SOP scans the index once (about
# 0.05 s for those 830,000 entries) and checks the period on each entry, and the elapsed times
# come out sorted within each group (SQLite percentiles need them sorted). The cost: a short
# period is not a range of the index, so a month reads as many entries as a year (still well
# under its sorting cost). PostgreSQL hashes its GROUP BY either way.
FINISHED_INDEX = (
    "sop_id", "step", "scope_value", "unit", "by_event", "elapsed", "finished", "result", "due",
)  # fmt: skip
STARTED_INDEX = ("sop_id", "step", "scope_value", "ticket_id", "started", "attempt")


class StepRunRow(Base):
    __tablename__ = "step_runs"

    ticket_id: Mapped[str] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    visit: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, ... per ticket
    sop_id: Mapped[str] = mapped_column(String(200))
    revision: Mapped[str] = mapped_column(String(100))
    step: Mapped[str] = mapped_column(String(200))
    no: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)  # 1: the ticket's first visit to this step
    scope_name: Mapped[str | None] = mapped_column(String(200))
    scope_value: Mapped[str | None] = mapped_column(String(200))  # the ticket's current value
    started: Mapped[datetime] = mapped_column(UtcDateTime)
    due: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[str | None] = mapped_column(String(20))  # "met" / "breached" once finished
    by_event: Mapped[str | None] = mapped_column(String(200))  # the event that finished it
    breached: Mapped[bool] = mapped_column(Boolean)  # the deadline fired (open or finished)
    unit: Mapped[str] = mapped_column(String(20))  # the step's time-limit unit (or hours)
    elapsed: Mapped[float | None] = mapped_column(Float)  # in `unit`, pauses deducted
    paused_seconds: Mapped[float] = mapped_column(Float)
    paused_amount: Mapped[float] = mapped_column(Float)  # pauses, in `unit`
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # paused now, since

    # Covering the aggregates (runs of one SOP finished / started in a period, grouped by step
    # and scope value), so they read the index alone, in group order (see above).
    __table_args__ = (
        Index("ix_step_runs_sop_groups_finished", *FINISHED_INDEX),
        Index("ix_step_runs_sop_groups_started", *STARTED_INDEX),
    )


class PeriodicRunRow(Base):
    __tablename__ = "periodic_runs"

    sop_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    step: Mapped[str] = mapped_column(String(200), primary_key=True)
    period: Mapped[str] = mapped_column(String(40), primary_key=True)  # "2025-01", "2025-W02"
    revision: Mapped[str] = mapped_column(String(100))
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    ran: Mapped[datetime] = mapped_column(UtcDateTime)  # the service clock's time of the run
    notifications: Mapped[int] = mapped_column(Integer)


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))  # whsec_..., signs each delivery
    role: Mapped[str] = mapped_column(String(40))  # masks what it receives as a token's would
    sop_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    event: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scope_field: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scope_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    cursor: Mapped[int] = mapped_column(BigInteger)  # the feed's last change it took
    attempts: Mapped[int] = mapped_column(Integer)  # failed attempts at the next change
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created: Mapped[datetime] = mapped_column(UtcDateTime)


class UserRow(Base):
    __tablename__ = "users"

    login: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2, never the password
    actors: Mapped[list[str]] = mapped_column(JSON)
    roles: Mapped[list[str]] = mapped_column(JSON)
    scope_field: Mapped[str | None] = mapped_column(String(200), nullable=True)
    scope_value: Mapped[str | None] = mapped_column(String(200), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean)
    failed_attempts: Mapped[int] = mapped_column(Integer)  # wrong passwords in a row
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created: Mapped[datetime] = mapped_column(UtcDateTime)
    updated: Mapped[datetime] = mapped_column(UtcDateTime)
