"""The SQLite store notices its file removed or replaced under it (no write acknowledged after,
what it held saved beside), never makes an empty database where one was lost unless told to,
and answers a database that refuses work (full) with `StoreUnavailable`, not a driver error."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text

from engine.errors import StoreUnavailable
from engine.store import Store
from engine.store.database import sqlite_url
from engine.store.guard import LOST

DB = "sop.db"


def save_new(store: Store, build: Any, ticket_id: str) -> None:
    with store.write() as tx:
        tx.save(build.outcome(build.ticket(ticket_id)), expected_version=None, scopes={},
                scope_fields={})  # fmt: skip


def ticket_ids(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM tickets ORDER BY id")]


def opened(folder: Path, **kwargs: Any) -> Store:
    return Store.open(sqlite_url(folder / DB), **kwargs)


def test_a_removed_file_refuses_every_write_and_what_it_held_is_saved(
    tmp_path: Path, build: Any, caplog: pytest.LogCaptureFixture
) -> None:
    store = opened(tmp_path)
    save_new(store, build, "T1")
    save_new(store, build, "T2")
    (tmp_path / DB).unlink()
    with caplog.at_level(logging.CRITICAL, logger="engine.store.guard"):
        for ticket_id in ("T3", "T4"):
            with pytest.raises(StoreUnavailable, match=LOST):
                save_new(store, build, ticket_id)
    (line,) = [r.getMessage() for r in caplog.records if r.levelno == logging.CRITICAL]
    assert f"{tmp_path / DB} was removed while the server ran" in line
    store.close()
    (rescued,) = tmp_path.glob(f"{DB}.rescued-*")
    assert str(rescued) in line
    assert ticket_ids(rescued) == ["T1", "T2"]
    # its journal is out of the way: the rescued copy put in place opens clean
    assert not (tmp_path / f"{DB}-wal").exists() and list(tmp_path.glob(f"{DB}-wal.lost-*"))
    rescued.rename(tmp_path / DB)
    again = opened(tmp_path)
    save_new(again, build, "T3")
    again.close()
    assert ticket_ids(tmp_path / DB) == ["T1", "T2", "T3"]


def test_a_replaced_file_is_not_written_to(tmp_path: Path, build: Any) -> None:
    other = opened(tmp_path / "other")
    save_new(other, build, "X1")
    other.close()
    store = opened(tmp_path)
    save_new(store, build, "T1")
    os.replace(tmp_path / "other" / DB, tmp_path / DB)
    with pytest.raises(StoreUnavailable, match=LOST):
        save_new(store, build, "T2")
    store.close()
    assert ticket_ids(tmp_path / DB) == ["X1"]  # the file put in place, untouched
    (rescued,) = tmp_path.glob(f"{DB}.rescued-*")
    assert ticket_ids(rescued) == ["T1"]


def test_a_file_removed_during_a_write_is_not_acknowledged(tmp_path: Path, build: Any) -> None:
    store = opened(tmp_path)
    with pytest.raises(StoreUnavailable, match=LOST), store.write() as tx:
        tx.save(build.outcome(build.ticket("T1")), expected_version=None, scopes={},
                scope_fields={})  # fmt: skip
        (tmp_path / DB).unlink()  # after the checks before it, before its commit
    store.close()


def test_a_folder_that_lost_its_database_is_refused_and_nothing_is_made(
    tmp_path: Path, build: Any
) -> None:
    store = opened(tmp_path)
    save_new(store, build, "T1")
    store.close()
    (tmp_path / DB).unlink()
    with pytest.raises(StoreUnavailable) as refused:
        opened(tmp_path)
    message = refused.value.message
    assert message.startswith(f"the data folder {tmp_path} held a store but its database")
    assert "restore it from a backup" in message and "--init" in message
    assert "\n" not in message
    assert not (tmp_path / DB).exists()


def test_init_begins_an_empty_store_and_keeps_what_the_lost_one_left(
    tmp_path: Path, build: Any
) -> None:
    store = opened(tmp_path)
    save_new(store, build, "T1")
    (tmp_path / DB).unlink()  # under a running store: its journal stays behind
    store.close()
    fresh = opened(tmp_path, init=True)
    save_new(fresh, build, "N1")
    fresh.close()
    assert ticket_ids(tmp_path / DB) == ["N1"]
    assert list(tmp_path.glob(f"{DB}-wal.lost-*"))  # kept aside, not deleted
    (tmp_path / DB).unlink()
    with pytest.raises(StoreUnavailable, match="is gone"):  # the new store is guarded too
        opened(tmp_path)


def test_an_emptied_database_in_a_folder_that_held_a_store_is_refused(
    tmp_path: Path, build: Any
) -> None:
    store = opened(tmp_path)
    save_new(store, build, "T1")
    store.close()
    (tmp_path / DB).write_bytes(b"")
    with pytest.raises(StoreUnavailable, match="holds no store .* but its folder held one"):
        opened(tmp_path)
    with sqlite3.connect(tmp_path / DB) as conn:  # not migrated into an empty store
        assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,)


def test_a_store_made_before_the_marker_is_guarded_from_its_next_opening(
    tmp_path: Path, build: Any
) -> None:
    store = opened(tmp_path)
    save_new(store, build, "T1")
    store.close()
    for left in (".sop.db.store", "sop.db.writelock"):  # as an older version left the folder
        (tmp_path / left).unlink()
    opened(tmp_path).close()
    (tmp_path / DB).unlink()
    with pytest.raises(StoreUnavailable, match="is gone"):
        opened(tmp_path)


def test_a_full_database_answers_store_unavailable_and_keeps_what_it_had(
    tmp_path: Path, build: Any
) -> None:
    store = opened(tmp_path)
    save_new(store, build, "T1")
    with store.read() as tx:
        pages = tx.conn.execute(text("PRAGMA page_count")).scalar_one()

    @event.listens_for(store.engine, "connect")
    def _full(dbapi_conn: Any, _record: Any) -> None:  # no page beyond those it has: full
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    store.engine.dispose()  # every connection from now on is a full one
    big = build.ticket("T2", fields={"note": "x" * 200_000})
    with pytest.raises(StoreUnavailable, match="database or disk is full"), store.write() as tx:
        tx.save(build.outcome(big), expected_version=None, scopes={}, scope_fields={})
    store.close()
    assert ticket_ids(tmp_path / DB) == ["T1"]
