"""The report tables (SQLAlchemy models on the store's `Base`; migration 0004 creates them).

    step_runs       one row per visit of a ticket to a step, written by the service in the
                    transaction of the event that started or finished it (app.reports.step_runs)
    periodic_runs   one row per period a periodic step ran (e.g. the monthly monev report), so
                    the sweeper knows the last period each step ran for

`engine.store` imports this module, so these tables are part of `Base.metadata` wherever the
store's own tables are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.tables import Base, UtcDateTime

# The monev report's GROUP BY keys first, then the period column: SQLite has no hash aggregate,
# so a GROUP BY whose rows do not come in group order sorts them all (0.5-0.7 s for a year of
# 830,000 runs, per query); read in this order, a query over the whole SOP scans the index once
# (about 0.05 s for those 830,000 entries) and checks the period on each entry, and the elapsed
# times come out sorted within each group (the SQLite percentiles need them sorted). The cost:
# a short period is not a range of the index, so a month's report reads as many entries as a
# year's (still well under its sorting cost). PostgreSQL hashes its GROUP BY either way.
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

    # Covering the report's queries (runs of one SOP finished / started in a period, grouped
    # by step and scope value), so they read the index alone, in group order (see above).
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
