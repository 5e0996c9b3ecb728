"""`sop audit verify --jobs 2` over enough tickets to take worker processes reports exactly what
one process reports: the same counts and the same problems, listed in the same order, against a
checkpoint too; its progress bar reaches the number of tickets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from engine.app.audit import verify as verify_module
from engine.app.audit.checkpoint import make_checkpoint
from engine.app.processes import MIN_TICKETS
from engine.cli import main
from engine.store import Store
from engine.store.tables import DeadlineRow
from tests.support.chunk_spy import spy_chunks
from tests.support.seed import MONDAY
from tests.support.written import write_tickets

from .conftest import SOP, delete_entry, edit_entry, set_columns

EVENTS = [("accept", "staff", {}), ("triage", "staff", {})]


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The progress bars the command draws and the ranges it hands to worker processes."""
    return spy_chunks(monkeypatch, verify_module)


def test_two_processes_report_what_one_reports(
    database, store: Store, catalog, tmp_path: Path, spied
):
    spec = catalog.get(SOP)
    write_tickets(store, spec, MIN_TICKETS, EVENTS)
    key = tmp_path / "audit.key"
    key.write_bytes(b"k" * 40)
    checkpoint = tmp_path / "cp.json"
    checkpoint.write_text(json.dumps(make_checkpoint(store, key.read_bytes())), encoding="utf-8")
    write_tickets(store, spec, 3, EVENTS, prefix="B")  # opened since the checkpoint
    ids = [f"A{i:09d}" for i in range(MIN_TICKETS)]
    # Problems in both ranges of 500 tickets, of the chain and of the rows.
    edit_entry(store, ids[3], 2, actor="agency")
    delete_entry(store, ids[640], 2)
    set_columns(store, ids[999], 1, actor="agency")
    with store.write() as tx:
        tx.conn.execute(
            update(DeadlineRow).where(DeadlineRow.ticket_id == ids[700]).values(due=MONDAY)
        )

    args = ["audit", "verify", "--database-url", database.reader_url, "--format", "json"]
    args += ["--checkpoint", str(checkpoint), "--key-file", str(key)]
    one = CliRunner().invoke(main, [*args, "--jobs", "1"])
    two = CliRunner().invoke(main, [*args, "--jobs", "2"])

    assert spied["chunks"] == [(2, 3)]  # --jobs 1 ran in-process; --jobs 2 in 2 workers
    assert (one.exit_code, two.exit_code) == (1, 1), two.output
    report = json.loads(two.stdout)
    assert report == json.loads(one.stdout)
    assert report["tickets"] == report["replayed"] + 3 == MIN_TICKETS + 3
    assert report["checkpoint"]["new_since"] == 3
    assert report["tickets_with_problems"] == [ids[3], ids[640], ids[700], ids[999]]
    # Each range: its tickets' chain problems, then its replay's rows.
    kinds = list(dict.fromkeys((p["ticket"], p["kind"]) for p in report["problems"]))
    assert kinds == [
        (ids[3], "changed"),
        (ids[640], "removed"),
        (ids[999], "changed"),
        (ids[700], "differs"),
    ]
    for bar in spied["bars"]:
        assert bar.pos == bar.length == MIN_TICKETS + 3


def test_jobs_must_be_one_or_more(database, store: Store):
    result = CliRunner().invoke(
        main, ["audit", "verify", "--database-url", database.reader_url, "--jobs", "0"]
    )
    assert result.exit_code == 2
    assert "Invalid value for '--jobs': 0 is not a number of processes: give 1" in result.output
