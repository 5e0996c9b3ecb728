"""`sop audit verify` on a read-only copy of the data folder (an auditor's copy, read-only
media), run as a user file permissions apply to: it reads the copy and writes nothing there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.app.service import TicketService
from engine.core.clock import ManualClock
from engine.spec.catalog import Catalog
from engine.store import Store
from engine.store.database import sqlite_url
from tests.support.seed import MONDAY
from tests.support.unprivileged import Unprivileged, unprivileged_user

from .conftest import TO_ROUTING, drive

unprivileged = pytest.fixture(name="unprivileged")(unprivileged_user)


def read_only(folder: Path) -> list[str]:
    for file in folder.iterdir():
        file.chmod(0o444)
    folder.chmod(0o555)
    return sorted(p.name for p in folder.iterdir())


def copy_of(store_dir: Path, target: Path, names: tuple[str, ...]) -> Path:
    target.mkdir()
    for name in names:
        shutil.copy(store_dir / name, target / name)
    return target


@pytest.fixture
def data(unprivileged: Unprivileged, catalog: Catalog) -> Path:
    """A data folder of two tickets, its store closed."""
    folder = unprivileged.folder("data")
    store = Store.open(sqlite_url(folder / "sop.db"))
    clock = ManualClock(MONDAY)
    service = TicketService(catalog, store, clock)
    drive(service, clock, TO_ROUTING)
    drive(service, clock, [])
    store.close()
    return folder


def test_a_read_only_copy_verifies_and_nothing_is_written_beside_it(
    unprivileged: Unprivileged, data: Path, catalog: Catalog
) -> None:
    stopped = copy_of(data, unprivileged.base / "stopped", ("sop.db",))
    # taken while the store was open: the newest transactions are only in its log
    store = Store.open(sqlite_url(data / "sop.db"))
    clock = ManualClock(MONDAY)
    drive(TicketService(catalog, store, clock), clock, TO_ROUTING)
    running = copy_of(data, unprivileged.base / "running", ("sop.db", "sop.db-wal", "sop.db-shm"))
    store.close()
    for copy, verdict in (
        (
            stopped,
            "checked 2 ticket(s), 8 log entries, replayed 2 ticket(s), 1 revision(s), "
            "0 periodic run(s): intact",
        ),
        (
            running,
            "checked 3 ticket(s), 15 log entries, replayed 3 ticket(s), 1 revision(s), "
            "0 periodic run(s): intact",
        ),
    ):
        before = read_only(copy)
        run = unprivileged.sop("audit", "verify", "--data-dir", str(copy))
        assert run.code == 0, run
        assert run.stdout.splitlines()[-1] == verdict
        assert sorted(p.name for p in copy.iterdir()) == before  # nothing made beside it


def test_a_read_only_copy_missing_the_log_index_says_how_to_copy_it(
    unprivileged: Unprivileged, catalog: Catalog
) -> None:
    live = unprivileged.folder("live")
    store = Store.open(sqlite_url(live / "sop.db"))
    clock = ManualClock(MONDAY)
    drive(TicketService(catalog, store, clock), clock, TO_ROUTING)
    copy = copy_of(live, unprivileged.base / "copy", ("sop.db", "sop.db-wal"))
    store.close()
    read_only(copy)
    run = unprivileged.sop("audit", "verify", "--data-dir", str(copy))
    assert run.code == 1, run
    (line,) = run.stderr_lines
    assert line.startswith(f"Error: cannot read the database {copy / 'sop.db'}")
    assert "copy the folder somewhere writable" in line and ".backup" in line
