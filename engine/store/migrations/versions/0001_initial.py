"""The initial store: tickets, scopes, event log, deadlines, outbox, revisions, idempotency.

Revision ID: 0001
Revises:
Create Date: 2024-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("sop_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("spec_hash", sa.String(64), nullable=False),
        sa.Column("state", sa.String(200), nullable=False),
        sa.Column("status", sa.String(200), nullable=True),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _time("created"),
        _time("closed", nullable=True),
        sa.Column("external_ref", sa.String(200), nullable=True),
        sa.Column("record", sa.JSON(), nullable=False),
        _time("updated"),
    )
    op.create_index("ix_tickets_sop_id", "tickets", ["sop_id"])
    op.create_index("ix_tickets_state", "tickets", ["state"])
    op.create_index("ix_tickets_status", "tickets", ["status"])
    op.create_index("ix_tickets_external_ref", "tickets", ["external_ref"])

    op.create_table(
        "ticket_scopes",
        sa.Column(
            "ticket_id",
            sa.String(40),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_index("ix_ticket_scopes_name_value", "ticket_scopes", ["name", "value", "ticket_id"])

    op.create_table(
        "events",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            sa.String(40),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _time("at"),
        sa.Column("event", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("user", sa.String(200), nullable=True),
        sa.Column("from_state", sa.String(200), nullable=False),
        sa.Column("to_state", sa.String(200), nullable=False),
        sa.Column("from_status", sa.String(200), nullable=True),
        sa.Column("to_status", sa.String(200), nullable=True),
        sa.Column("sop_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("spec_hash", sa.String(64), nullable=False),
        sa.Column("caused_by", sa.String(200), nullable=True),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        _time("recorded"),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.UniqueConstraint("ticket_id", "seq", name="uq_events_ticket_seq"),
        sa.UniqueConstraint("ticket_id", "idempotency_key", name="uq_events_ticket_idempotency"),
    )

    op.create_table(
        "deadlines",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            sa.String(40),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        _time("due"),
        _time("checked", nullable=True),
    )
    op.create_index("ix_deadlines_ticket_id", "deadlines", ["ticket_id"])
    op.create_index("ix_deadlines_due", "deadlines", ["due"])

    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("notification_id", sa.String(200), nullable=False, unique=True),
        sa.Column("ticket_id", sa.String(40), nullable=False),
        sa.Column("to_actor", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(200), nullable=True),
        sa.Column("scope_name", sa.String(200), nullable=True),
        sa.Column("scope_value", sa.String(200), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _time("next_attempt_at"),
        sa.Column("done_channels", sa.JSON(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        _time("created"),
        _time("delivered", nullable=True),
    )
    op.create_index("ix_outbox_ticket_id", "outbox", ["ticket_id"])
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])

    op.create_table(
        "revisions",
        sa.Column("spec_hash", sa.String(64), primary_key=True),
        sa.Column("sop_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        _time("stored"),
    )
    op.create_index("ix_revisions_sop_id", "revisions", ["sop_id"])

    op.create_table(
        "idempotency",
        sa.Column("scope", sa.String(250), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.String(40), nullable=False),
        sa.Column("response", sa.JSON(), nullable=False),
        _time("created"),
    )


def downgrade() -> None:
    for table in (
        "idempotency",
        "revisions",
        "outbox",
        "deadlines",
        "events",
        "ticket_scopes",
        "tickets",
    ):
        op.drop_table(table)
