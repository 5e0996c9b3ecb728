"""How the monev report reads step_runs on SQLite: each query reads one covering index in the
order of its GROUP BY (SQLite has no hash aggregate, so rows out of group order are all sorted:
that sorting was most of a whole-year report's 3.5 s in bench/bench_monev.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import event

from engine.app.reports.monev import monev_for
from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.spec.catalog import Catalog
from engine.store import Store
from engine.store.database import sqlite_url
from tests.integration.conftest import Database
from tests.integration.reports.dataset import build
from tests.integration.reports.test_monev_figures import JAN
from tests.support.seed import MONDAY


def _step_run_queries(store: Store, run: Any) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if "FROM step_runs" in statement and statement.lstrip().startswith("SELECT"):
            seen.append((statement, params))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(store.engine, "before_cursor_execute", note)
    return seen


def test_sqlite_reads_step_runs_in_group_order_without_sorting(catalog: Catalog, tmp_path):
    store = Database("sqlite", sqlite_url(tmp_path / "sop.db")).open()
    clock = ManualClock(MONDAY)
    service = TicketService(catalog, store, clock)
    build(service, clock)
    report: list[Any] = []
    queries = _step_run_queries(
        store, lambda: report.append(monev_for(service, "surabaya-complaints", *JAN))
    )
    assert report[0].total.step("check_substance").median is not None
    assert len(queries) == 3  # runs entered; runs finished per group; their elapsed times
    with store.engine.connect() as conn:
        for statement, params in queries:
            plan = [r[3] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)]
            assert any("COVERING INDEX ix_step_runs_sop_groups" in p for p in plan), plan
            assert not any("TEMP B-TREE FOR GROUP BY" in p for p in plan), plan
            assert not any("TEMP B-TREE FOR ORDER BY" in p for p in plan), plan
    store.close()


def test_the_month_and_a_longer_period_agree_where_they_overlap(service, clock):
    """A period of a year reads the same runs as the month inside it when nothing else
    happened: the whole index is read either way, filtered by the period on each entry."""
    build(service, clock)
    month = monev_for(service, "surabaya-complaints", *JAN)
    year = monev_for(service, "surabaya-complaints", date(2024, 7, 1), date(2025, 2, 1))
    assert year.total.steps == month.total.steps
    assert [s.steps for s in year.scopes] == [s.steps for s in month.scopes]
