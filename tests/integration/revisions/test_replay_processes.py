"""`sop replay --jobs 2` over enough stored tickets to take worker processes reports exactly
what one process reports (tallies, tickets that would end elsewhere, refused events, their
sample ids and order); its progress bar reaches the number of tickets."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from engine.app.processes import MIN_TICKETS
from engine.app.revisions import replay as replay_module
from engine.cli import main
from tests.integration.revisions.test_migrate import db_args
from tests.integration.revisions.test_replay import R2_FILE, stored  # noqa: F401 (a fixture)
from tests.support.chunk_spy import spy_chunks
from tests.support.copies import copy_tickets


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[Any]]:
    """The progress bars the command draws and the ranges it hands to worker processes."""
    return spy_chunks(monkeypatch, replay_module)


def test_two_processes_report_what_one_reports(stored, tree, database, spied):  # noqa: F811
    ids = [stored.ids.late, stored.ids.auto, stored.ids.remind, stored.ids.waiting]
    copy_tickets(stored.service.store, ids, "C", range(MIN_TICKETS))
    total = MIN_TICKETS + len(ids)
    args = ["replay", str(R2_FILE), "--from-store", "--as-of", stored.as_of.isoformat()]
    args += ["--sop-root", str(tree.sop_root), *db_args(database)]

    one = CliRunner().invoke(main, [*args, "--format", "json", "--jobs", "1"])
    two = CliRunner().invoke(main, [*args, "--format", "json", "--jobs", "2"])

    assert spied["chunks"] == [(2, 3)]  # --jobs 1 ran in-process; --jobs 2 in 2 workers
    assert (one.exit_code, two.exit_code) == (0, 0), two.output
    report = json.loads(two.stdout)
    assert report == json.loads(one.stdout)
    assert report["tickets"] == total
    (step9,) = [s for s in report["steps"] if s["step"] == "follow_up"]
    assert step9["candidate"]["breached"] > 0 and step9["change"] != "same"
    assert report["ends_elsewhere"] and report["refused"]
    assert all(len(line["sample"]) == 5 for line in report["refused"])
    for bar in spied["bars"]:
        assert bar.pos == bar.length == total


def test_jobs_must_be_one_or_more(stored, tree, database):  # noqa: F811
    args = ["replay", str(R2_FILE), "--from-store", "--jobs", "0"]
    result = CliRunner().invoke(main, [*args, "--sop-root", str(tree.sop_root), *db_args(database)])
    assert result.exit_code == 2
    assert "Invalid value for '--jobs': 0 is not a number of processes: give 1" in result.output
