"""Read-model tables: step_runs (one row per visit of a ticket to a step, aggregated in SQL)
and periodic_runs (the last period each periodic step ran for).

Revision ID: 0004
Revises: 0002
Create Date: 2025-01-01

There is no 0003: it was planned beside this one and never landed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def _time(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "step_runs",
        sa.Column(
            "ticket_id",
            sa.String(40),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("visit", sa.Integer(), primary_key=True),
        sa.Column("sop_id", sa.String(200), nullable=False),
        sa.Column("revision", sa.String(100), nullable=False),
        sa.Column("step", sa.String(200), nullable=False),
        sa.Column("no", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("scope_name", sa.String(200), nullable=True),
        sa.Column("scope_value", sa.String(200), nullable=True),
        _time("started"),
        _time("due", nullable=True),
        _time("finished", nullable=True),
        sa.Column("result", sa.String(20), nullable=True),
        sa.Column("by_event", sa.String(200), nullable=True),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(20), nullable=False),
        sa.Column("elapsed", sa.Float(), nullable=True),
        sa.Column("paused_seconds", sa.Float(), nullable=False),
        sa.Column("paused_amount", sa.Float(), nullable=False),
        _time("paused_at", nullable=True),
    )
    finished = ["sop_id", "finished", "step", "scope_value", "unit", "elapsed", "by_event"]
    op.create_index("ix_step_runs_sop_finished", "step_runs", [*finished, "result", "due"])
    started = ["sop_id", "started", "step", "scope_value", "attempt", "ticket_id"]
    op.create_index("ix_step_runs_sop_started", "step_runs", started)

    op.create_table(
        "periodic_runs",
        sa.Column("sop_id", sa.String(200), primary_key=True),
        sa.Column("step", sa.String(200), primary_key=True),
        sa.Column("period", sa.String(40), primary_key=True),
        sa.Column("revision", sa.String(100), nullable=False),
        _time("start"),
        _time("end"),
        _time("ran"),
        sa.Column("notifications", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("periodic_runs")
    op.drop_table("step_runs")
