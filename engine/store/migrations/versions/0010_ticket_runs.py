"""The finished step runs of each ticket in a table of their own, written once each, instead of
inside the ticket's record, rewritten on every event: a closed seed ticket's record went from
5.1 KB to under 1 KB (bench/bench_apply.py). Each stored record's runs move here (the record
then counts them in `runs_before`); a downgrade puts them back.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BATCH = 1000


def upgrade() -> None:
    op.create_table(
        "ticket_runs",
        sa.Column(
            "ticket_id",
            sa.String(40),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("visit", sa.Integer, primary_key=True),
        sa.Column("run", sa.JSON, nullable=False),
    )
    conn = op.get_bind()
    runs, tickets = _tables()
    after = ""
    while True:
        page = conn.execute(
            sa.select(tickets.c.id, tickets.c.record)
            .where(tickets.c.id > after)
            .order_by(tickets.c.id)
            .limit(BATCH)
        ).all()
        for ticket_id, record in page:
            held = record.get("history") or []
            if not held:
                continue
            before = int(record.get("runs_before") or 0)
            conn.execute(
                sa.insert(runs),
                [
                    {"ticket_id": ticket_id, "visit": before + i, "run": run}
                    for i, run in enumerate(held)
                ],
            )
            record = {**record, "history": [], "runs_before": before + len(held)}
            conn.execute(sa.update(tickets).where(tickets.c.id == ticket_id).values(record=record))
        if len(page) < BATCH:
            return
        after = page[-1][0]


def _tables() -> tuple[sa.TableClause, sa.TableClause]:
    runs = sa.table(
        "ticket_runs", sa.column("ticket_id"), sa.column("visit"), sa.column("run", sa.JSON)
    )
    return runs, sa.table("tickets", sa.column("id"), sa.column("record", sa.JSON))


def downgrade() -> None:
    conn = op.get_bind()
    runs, tickets = _tables()
    held: dict[str, list[dict[str, object]]] = {}
    for row in conn.execute(sa.select(runs).order_by(runs.c.ticket_id, runs.c.visit)):
        held.setdefault(row.ticket_id, []).append(row.run)
    for ticket_id, moved in held.items():
        record = dict(
            conn.execute(sa.select(tickets.c.record).where(tickets.c.id == ticket_id)).scalar_one()
        )
        record["history"] = [*moved, *record.get("history", [])]
        record.pop("runs_before", None)
        conn.execute(sa.update(tickets).where(tickets.c.id == ticket_id).values(record=record))
    op.drop_table("ticket_runs")
