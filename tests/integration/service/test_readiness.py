"""Readiness on each backend: the database check writes and rolls back (nothing stays), the
migrations are at head, the disk check is the SQLite folder's; a schema behind is not ready."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from engine.app.health import HealthChecks
from engine.store import Store
from engine.store.database import newest_heads


def checks(store: Store, **kwargs: Any) -> HealthChecks:
    values = {"sweeper": lambda: None, "min_free_bytes": 0, "sweep_max_age": 60.0, **kwargs}
    return HealthChecks(store, **values)


def test_a_current_store_is_ready_and_the_probe_leaves_nothing(store: Store, database: Any) -> None:
    report = checks(store).ready()
    assert report.ok and report.failing == []
    assert report.checks["database"].detail == "takes writes"
    on_disk = database.backend == "sqlite"
    assert report.checks["disk"].detail.endswith("MB needed)") == on_disk
    with store.read() as tx:  # the row it rewrote, as it was
        rows = tx.conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert {r[0] for r in rows} == newest_heads()


def test_a_store_behind_the_newest_migration_is_not_ready(database: Any) -> None:
    database.migrate_to("0004")
    older = database.open(migrate=False)
    try:
        report = checks(older).ready()
    finally:
        older.close()
    assert report.failing == ["migrations"]
    assert report.checks["migrations"].detail == f"at 0004, not {', '.join(newest_heads())}"
