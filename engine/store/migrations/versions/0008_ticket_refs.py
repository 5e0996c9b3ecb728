"""External references: the ids other systems (the national complaint system, a city's app)
gave a ticket, several per ticket, one ticket per (source, reference) pair, so that a retried
hand-over finds the ticket it opened instead of opening another.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ticket_refs",
        sa.Column("source", sa.String(100), primary_key=True),
        sa.Column("ref", sa.String(200), primary_key=True),
        sa.Column(
            "ticket_id",
            sa.String(40),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ticket_refs_ticket_id", "ticket_refs", ["ticket_id"])


def downgrade() -> None:
    op.drop_index("ix_ticket_refs_ticket_id", table_name="ticket_refs")
    op.drop_table("ticket_refs")
