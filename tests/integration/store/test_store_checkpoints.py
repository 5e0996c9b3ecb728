"""An open SQLite store copies its write-ahead log into the database file in the background
(engine.store.checkpoints), so that commits do not: what is committed reaches the file itself
within moments, while the store's own connections would leave it in the log for ~40 MB."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

from engine.store import Store
from engine.store.checkpoints import BACKSTOP_PAGES, INTERVAL_S
from engine.store.database import sqlite_url
from tests.integration.store.test_store_guard import save_new


def _in_file_alone(db: Path, copy: Path) -> list[str]:
    """The ticket ids the database file holds without its log (a copy of the file alone)."""
    shutil.copyfile(db, copy)
    with sqlite3.connect(copy) as conn:
        try:
            return [r[0] for r in conn.execute("SELECT id FROM tickets ORDER BY id")]
        except sqlite3.OperationalError:  # the tables themselves are still in the log
            return []


def test_committed_tickets_reach_the_file_while_the_store_stays_open(
    tmp_path: Path, build: Any
) -> None:
    db = tmp_path / "sop.db"
    store = Store.open(sqlite_url(db))
    try:
        with store.engine.connect() as conn:  # a commit checkpoints only this far behind
            pages = conn.execute(text("PRAGMA wal_autocheckpoint")).scalar()
        assert pages == BACKSTOP_PAGES
        save_new(store, build, "T1")
        save_new(store, build, "T2")
        deadline = time.monotonic() + 20 * INTERVAL_S
        found = _in_file_alone(db, tmp_path / "copy.db")
        while found != ["T1", "T2"] and time.monotonic() < deadline:
            time.sleep(INTERVAL_S / 4)
            found = _in_file_alone(db, tmp_path / "copy.db")
        assert found == ["T1", "T2"]
        assert (tmp_path / "sop.db-wal").exists()  # the store is open: its log is kept
    finally:
        store.close()
    again = Store.open(sqlite_url(db))  # and it opens again with both
    try:
        with again.read() as tx:
            assert tx.ticket("T1") is not None and tx.ticket("T2") is not None
    finally:
        again.close()
