"""The tamper-evident log: events.prev_hash and events.entry_hash (engine.store.chain).

Entries written before this migration are chained here, in their stored order: the chain
vouches for them from the moment of the migration on, not before.

Revision ID: 0002
Revises: 0001
Create Date: 2024-01-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    op.add_column("events", sa.Column("prev_hash", sa.String(64), nullable=True))
    op.add_column("events", sa.Column("entry_hash", sa.String(64), nullable=True))
    _chain_existing(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("entry_hash")
        batch.drop_column("prev_hash")


def _chain_existing(conn: sa.Connection) -> None:
    from engine.store import chain

    events = sa.table(
        "events",
        sa.column("id", sa.BigInteger),
        sa.column("ticket_id", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("entry", sa.JSON),
        sa.column("prev_hash", sa.String),
        sa.column("entry_hash", sa.String),
    )
    ticket_ids = conn.scalars(sa.select(events.c.ticket_id).distinct()).all()
    updates: list[dict[str, object]] = []
    for ticket_id in ticket_ids:  # one ticket's entries in memory at a time
        prev = chain.GENESIS
        rows = conn.execute(
            sa.select(events.c.id, events.c.entry)
            .where(events.c.ticket_id == ticket_id)
            .order_by(events.c.seq)
        )
        for row in rows.fetchall():
            digest = chain.entry_hash(row.entry, prev)
            updates.append({"row_id": row.id, "prev": prev, "digest": digest})
            prev = digest
        if len(updates) >= _BATCH:
            _write(conn, events, updates)
    _write(conn, events, updates)


def _write(conn: sa.Connection, events: sa.TableClause, updates: list[dict[str, object]]) -> None:
    if updates:
        conn.execute(
            events.update()
            .where(events.c.id == sa.bindparam("row_id"))
            .values(prev_hash=sa.bindparam("prev"), entry_hash=sa.bindparam("digest")),
            updates,
        )
        updates.clear()
