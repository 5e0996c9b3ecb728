"""`sop audit verify` catches every direct edit of the stored log, by ticket and position."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.app.audit import verify_store
from engine.cli import main
from engine.store import Store

from .conftest import (
    Seeded,
    delete_entry,
    edit_entry,
    renumber_after,
    rows,
    set_columns,
    swap_entries,
)


def found(store: Store) -> list[tuple[str, int | None, str]]:
    """(ticket, position, kind) of every problem, in report order, each once."""
    report = verify_store(store)
    return list(dict.fromkeys((p.ticket_id, p.seq, p.kind) for p in report.problems))


def test_a_store_written_by_the_service_verifies_clean(store, seeded: Seeded):
    report = verify_store(store)
    assert report.ok, [p.format() for p in report.problems]
    assert report.tickets == 3
    assert report.entries == sum(len(rows(store, t)) for t in seeded.ids)
    assert len(rows(store, seeded.done)) == 11 and len(rows(store, seeded.late)) >= 9


def test_editing_an_entry_s_data_is_caught_at_its_position(store, seeded: Seeded):
    entry = rows(store, seeded.done)[4].entry
    edit_entry(store, seeded.done, 5, data={**entry["data"], "category": "Lainnya"})
    problems = verify_store(store).problems
    assert [(p.ticket_id, p.seq, p.kind) for p in problems] == [(seeded.done, 5, "changed")]
    assert problems[0].version == 5
    assert "does not match its hash" in problems[0].message


def test_editing_a_column_the_entry_repeats_is_caught(store, seeded: Seeded):
    set_columns(store, seeded.late, 3, actor="agency")
    problems = verify_store(store).problems
    assert [(p.ticket_id, p.seq, p.kind) for p in problems] == [(seeded.late, 3, "changed")]
    assert "column actor holds 'agency' but the entry says 'staff'" in problems[0].message


def test_editing_a_rule_s_decision_record_is_caught(store, seeded: Seeded):
    late = rows(store, seeded.late)
    seq, entry = next((r.seq, r.entry) for r in late if r.entry["rules"])
    rules = [{**entry["rules"][0], "reason": "nothing to see"}]
    edit_entry(store, seeded.late, seq, rules=rules)
    assert found(store) == [(seeded.late, seq, "changed")]


def test_deleting_an_entry_is_caught_as_removed_at_its_position(store, seeded: Seeded):
    delete_entry(store, seeded.done, 4)
    assert found(store) == [(seeded.done, 4, "removed")]


def test_deleting_the_last_entry_is_caught_by_the_ticket_record(store, seeded: Seeded):
    last = len(rows(store, seeded.done))
    delete_entry(store, seeded.done, last)
    (problem,) = verify_store(store).problems
    assert (problem.ticket_id, problem.seq, problem.kind) == (seeded.done, None, "ticket")
    assert f"version {last}" in problem.message and f"(#{last - 1})" in problem.message


def test_deleting_an_entry_and_renumbering_the_rest_is_caught(store, seeded: Seeded):
    delete_entry(store, seeded.done, 4)
    renumber_after(store, seeded.done, 4)
    kinds = found(store)
    assert (seeded.done, 4, "broken") in kinds
    assert {t for t, _, _ in kinds} == {seeded.done}


def test_swapping_two_rows_with_their_hashes_is_caught_as_reordered(store, seeded: Seeded):
    swap_entries(store, seeded.done, 6, 7, hashes=True)
    assert found(store) == [(seeded.done, 6, "reordered"), (seeded.done, 7, "reordered")]


def test_swapping_two_rows_contents_is_caught_at_both_positions(store, seeded: Seeded):
    swap_entries(store, seeded.done, 2, 3, hashes=False)
    problems = verify_store(store).problems
    assert {(p.ticket_id, p.seq) for p in problems} == {(seeded.done, 2), (seeded.done, 3)}
    moved = sorted(p.message for p in problems if p.kind == "reordered")
    assert moved == [
        "entry 2 holds the entry written at position 3",
        "entry 3 holds the entry written at position 2",
    ]


def test_rewriting_an_entry_with_a_fresh_hash_breaks_the_next_link(store, seeded: Seeded):
    from engine.core.model import LogEntry
    from engine.store import codec
    from engine.store.chain import entry_hash

    row = rows(store, seeded.done)[2]
    forged = codec.decode(LogEntry, {**row.entry, "user": "someone-else"})
    set_columns(
        store,
        seeded.done,
        3,
        entry=codec.encode(forged),
        user="someone-else",
        entry_hash=entry_hash(forged, row.prev_hash),
    )
    assert found(store) == [(seeded.done, 4, "broken")]


def test_problems_in_several_tickets_are_all_reported(store, seeded: Seeded):
    edit_entry(store, seeded.fresh, 1, actor="agency")
    delete_entry(store, seeded.late, 2)
    assert found(store) == [(seeded.late, 2, "removed"), (seeded.fresh, 1, "changed")]


# -- the command ---------------------------------------------------------------------------------


def test_the_command_exits_0_on_a_clean_store_and_1_on_a_tampered_one(
    database, store, seeded: Seeded
):
    runner = CliRunner()
    clean = runner.invoke(main, ["audit", "verify", "--database-url", database.reader_url])
    assert clean.exit_code == 0, clean.output
    assert "checked 3 ticket(s)" in clean.output and "intact" in clean.output

    delete_entry(store, seeded.late, 2)
    args = ["audit", "verify", "--database-url", database.reader_url, "--format", "json"]
    broken = runner.invoke(main, args)
    assert broken.exit_code == 1, broken.output
    data = json.loads(broken.stdout)
    assert data["ok"] is False and data["tickets_with_problems"] == [seeded.late]
    assert data["problems"][0] | {"message": ""} == {
        "ticket": seeded.late,
        "position": 2,
        "version": None,
        "kind": "removed",
        "message": "",
    }


def test_the_command_reads_the_sqlite_file_in_the_data_dir(tmp_path, catalog):
    from engine.app.service import TicketService
    from engine.core.clock import ManualClock
    from engine.store.database import sqlite_url
    from tests.support.seed import MONDAY

    from .conftest import drive

    store = Store.open(sqlite_url(tmp_path / "sop.db"))
    drive(TicketService(catalog, store, ManualClock(MONDAY)), ManualClock(MONDAY), [])
    store.close()
    result = CliRunner().invoke(main, ["audit", "verify", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 ticket(s), 1 log entries, replayed 1 ticket(s)" in result.output
    assert result.stdout.rstrip().endswith(": intact")


@pytest.mark.parametrize("sub", ["verify", "export --format xes"])
def test_the_command_refuses_a_data_dir_without_a_database(tmp_path, sub):
    result = CliRunner().invoke(main, ["audit", *sub.split(), "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"no database at {tmp_path / 'sop.db'}" in result.output
    assert not (tmp_path / "sop.db").exists()


@contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` and its files unwritable, even for root (who ignores modes): chattr +i."""
    paths = [folder, *folder.iterdir()]
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(modes[p] & ~0o222)
        try:
            yield
        finally:
            for p in paths:
                p.chmod(modes[p])
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: a folder cannot be made read-only")
    made = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"chattr +i is refused here: {made.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", *map(str, paths)], check=True)


def _data_folder(tmp_path: Path, catalog) -> tuple[Path, Store]:
    from engine.app.service import TicketService
    from engine.core.clock import ManualClock
    from engine.store.database import sqlite_url
    from tests.support.seed import MONDAY

    from .conftest import TO_ROUTING, drive

    data = tmp_path / "data"
    store = Store.open(sqlite_url(data / "sop.db"))
    clock = ManualClock(MONDAY)
    service = TicketService(catalog, store, clock)
    drive(service, clock, TO_ROUTING)
    drive(service, clock, [])
    return data, store


def test_the_command_reads_a_read_only_copy_of_a_data_folder(tmp_path, catalog):
    data, store = _data_folder(tmp_path, catalog)
    store.close()  # the log is checkpointed into sop.db
    copy = tmp_path / "copy"
    copy.mkdir()
    shutil.copy(data / "sop.db", copy / "sop.db")
    with read_only(copy):
        result = CliRunner().invoke(main, ["audit", "verify", "--data-dir", str(copy)])
        listed = sorted(p.name for p in copy.iterdir())
    assert result.exit_code == 0, result.output
    assert "checked 2 ticket(s), 8 log entries, replayed 2 ticket(s)" in result.output
    assert listed == ["sop.db"]  # nothing written beside it


def test_a_read_only_copy_missing_its_write_ahead_log_s_commits_is_refused(tmp_path, catalog):
    data, store = _data_folder(tmp_path, catalog)
    copy = tmp_path / "copy"
    copy.mkdir()
    try:  # copied while the server still holds it open: the last commits are in sop.db-wal
        for name in ("sop.db", "sop.db-wal"):
            shutil.copy(data / name, copy / name)
    finally:
        store.close()
    assert (copy / "sop.db-wal").stat().st_size > 0
    with read_only(copy):
        result = CliRunner().invoke(main, ["audit", "verify", "--data-dir", str(copy)])
    assert result.exit_code == 1
    assert (
        "its folder is read-only and its write-ahead log sop.db-wal has transactions the file "
        "lacks" in result.output
    )
    assert "Traceback" not in result.output
