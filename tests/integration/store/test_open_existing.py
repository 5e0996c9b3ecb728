"""Readers open the store as it is: `Store.open_existing` and the commands that only read
(`sop audit verify|export`, `sop replay`) create nothing and upgrade nothing, and say in one
line why they cannot read."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, text

from engine.cli import main
from engine.errors import StoreUnavailable
from engine.store import Store
from engine.store.database import newest_heads, sqlite_url
from tests.integration.revisions.conftest import R2_SOURCE, SOP

CANDIDATE = R2_SOURCE / "sop" / SOP / "r2.yaml"  # `sop replay` reads it before the store


def test_a_missing_sqlite_file_is_refused_and_not_created(tmp_path: Path) -> None:
    where = tmp_path / "none" / "sop.db"
    with pytest.raises(StoreUnavailable, match=f"^no database at {where}$"):
        Store.open_existing(sqlite_url(where))
    assert not (tmp_path / "none").exists()


def test_an_empty_sqlite_file_is_not_a_store(tmp_path: Path) -> None:
    (tmp_path / "sop.db").touch()
    with pytest.raises(StoreUnavailable, match="holds no store"):
        Store.open_existing(sqlite_url(tmp_path / "sop.db"))
    with sqlite3.connect(tmp_path / "sop.db") as conn:  # no tables were made
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


def test_a_store_behind_the_newest_migration_is_refused_and_left_as_it_was(database) -> None:
    database.migrate_to("0001")
    (newest,) = newest_heads()  # the newest migration, whichever it is now
    with pytest.raises(StoreUnavailable, match=f"is at migration 0001, not {newest}: upgrade it"):
        Store.open_existing(database.reader_url)
    older = database.open(migrate=False)
    try:
        with older.read() as tx:
            version = tx.conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == "0001"
        assert "entry_hash" not in {c["name"] for c in inspect(older.engine).get_columns("events")}
    finally:
        older.close()


def test_a_current_store_opens_for_reading(database, store) -> None:
    reader = Store.open_existing(database.reader_url)
    try:
        with reader.read() as tx:
            assert tx.ticket("T1") is None
    finally:
        reader.close()


def test_a_server_that_refuses_the_connection_is_named_in_one_line() -> None:
    url = "postgresql://127.0.0.1:1/sop"  # nothing listens on port 1
    with pytest.raises(StoreUnavailable) as caught:
        Store.open_existing(url)
    assert caught.value.message.startswith("cannot open the store at postgresql")
    assert "\n" not in caught.value.message


READERS = {
    "audit verify": ["audit", "verify"],
    "audit export": ["audit", "export", "--format", "xes"],
    "replay": ["replay", str(CANDIDATE), "--from-store"],
}


@pytest.mark.parametrize("command", READERS.values(), ids=READERS.keys())
def test_a_reading_command_on_a_missing_database_says_so_in_one_line(tmp_path, command) -> None:
    result = CliRunner().invoke(main, [*command, "--data-dir", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: no database at {tmp_path / 'none' / 'sop.db'} "
        "(give --data-dir, the folder `sop serve` used, or --database-url)"
    ]
    assert not (tmp_path / "none").exists()


@pytest.mark.parametrize("command", READERS.values(), ids=READERS.keys())
def test_a_reading_command_on_an_old_store_asks_for_the_upgrade(database, command) -> None:
    database.migrate_to("0001")
    result = CliRunner().invoke(main, [*command, "--database-url", database.reader_url])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert "is at migration 0001" in line and "`sop serve` and `sop sweep` do" in line
