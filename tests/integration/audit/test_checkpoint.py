"""`sop audit checkpoint` signs every chain head with a key kept outside the database; a later
`sop audit verify --checkpoint` finds a chain rewritten with fresh hashes, which the chain alone
cannot show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import delete

from engine.app.audit import verify_store
from engine.app.audit.checkpoint import load_key, make_checkpoint, read_checkpoint
from engine.cli import main
from engine.errors import CheckpointInvalid
from engine.store import Store
from engine.store.tables import OutboxRow, TicketRow
from tests.support.seed import OTHER_CHANNEL

from .conftest import Seeded, rewrite_chain, rows


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "audit.key"
    path.write_bytes(b"k" * 20 + b"0123456789abcdef0123\n")
    return path


def checkpointed(store: Store, key_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "checkpoint.json"
    path.write_text(json.dumps(make_checkpoint(store, load_key(key_file))), encoding="utf-8")
    return path


def test_a_store_verifies_against_its_own_checkpoint(store, seeded: Seeded, key_file, tmp_path):
    checkpoint = read_checkpoint(checkpointed(store, key_file, tmp_path), load_key(key_file))
    assert checkpoint.heads[seeded.done] == (11, rows(store, seeded.done)[-1].entry_hash)
    report = verify_store(store, checkpoint=checkpoint)
    assert report.ok, [p.format() for p in report.problems]
    assert report.checkpoint is not None and report.checkpoint["tickets"] == 3


def test_a_chain_rewritten_with_fresh_hashes_is_found_by_the_checkpoint(
    store, seeded: Seeded, key_file, tmp_path
):
    path = checkpointed(store, key_file, tmp_path)
    rewrite_chain(store, seeded.done, 3, user="someone-else")
    assert verify_store(store).ok  # the chain holds, and the log replays: only the anchor shows it
    report = verify_store(store, checkpoint=read_checkpoint(path, load_key(key_file)))
    assert [(p.ticket_id, p.seq, p.kind) for p in report.problems] == [
        (seeded.done, 11, "checkpoint")
    ]
    assert "the log up to it was rewritten" in report.problems[0].message


def test_entries_added_after_the_checkpoint_extend_it(
    store, service, clock, seeded: Seeded, key_file, tmp_path
):
    path = checkpointed(store, key_file, tmp_path)
    service.post_event(seeded.late, "agency_responded", "agency", {}, user="agency-1")
    service.create_ticket("surabaya-complaints", dict(OTHER_CHANNEL), actor="staff", user="u")
    report = verify_store(store, checkpoint=read_checkpoint(path, load_key(key_file)))
    assert report.ok, [p.format() for p in report.problems]
    assert report.checkpoint is not None and report.checkpoint["new_since"] == 1


def test_a_ticket_deleted_with_its_whole_log_is_found(store, seeded: Seeded, key_file, tmp_path):
    path = checkpointed(store, key_file, tmp_path)
    with store.write() as tx:  # the ticket, its log (cascade) and its notifications
        tx.conn.execute(delete(OutboxRow).where(OutboxRow.ticket_id == seeded.done))
        tx.conn.execute(delete(TicketRow).where(TicketRow.id == seeded.done))
    assert verify_store(store).ok  # nothing left to compare
    problems = verify_store(store, checkpoint=read_checkpoint(path, load_key(key_file))).problems
    assert [(p.ticket_id, p.kind) for p in problems] == [(seeded.done, "checkpoint")]
    assert "holds neither the ticket nor its log" in problems[0].message


def test_a_wrong_key_or_an_edited_checkpoint_is_refused(store, seeded, key_file, tmp_path):
    path = checkpointed(store, key_file, tmp_path)
    other = tmp_path / "other.key"
    other.write_bytes(b"x" * 40)
    with pytest.raises(CheckpointInvalid, match="signed with another key"):
        read_checkpoint(path, load_key(other))
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["heads"][seeded.done] = [11, "0" * 64]  # what a forger would want it to say
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(CheckpointInvalid, match="does not match its content"):
        read_checkpoint(path, load_key(key_file))


def test_a_short_key_is_refused_saying_how_to_make_one(tmp_path):
    short = tmp_path / "short.key"
    short.write_text("secret\n")
    with pytest.raises(CheckpointInvalid, match=r"holds 6 bytes.*head -c 32 /dev/urandom"):
        load_key(short)


def test_the_commands_write_and_check_a_checkpoint(
    database, store, seeded: Seeded, key_file, tmp_path
):
    runner = CliRunner()
    out = tmp_path / "cp.json"
    where = ["--database-url", database.reader_url]
    made = runner.invoke(
        main, ["audit", "checkpoint", *where, "--key-file", str(key_file), "--out", str(out)]
    )
    assert made.exit_code == 0, made.output
    entries = sum(len(rows(store, t)) for t in seeded.ids)
    assert f"3 ticket(s), {entries} log entries" in made.output
    check = ["audit", "verify", *where, "--checkpoint", str(out), "--key-file", str(key_file)]
    clean = runner.invoke(main, check)
    assert clean.exit_code == 0, clean.output
    assert "against the checkpoint of" in clean.output

    rewrite_chain(store, seeded.late, 1, user="nobody")
    broken = runner.invoke(main, check)
    assert broken.exit_code == 1
    assert f"{seeded.late} #{len(rows(store, seeded.late))}: checkpoint:" in broken.output

    alone = runner.invoke(main, ["audit", "verify", *where, "--checkpoint", str(out)])
    assert alone.exit_code == 2 and "--checkpoint and --key-file go together" in alone.output
    (tmp_path / "bad.key").write_text("short")
    bad = runner.invoke(main, [*check[:-1], str(tmp_path / "bad.key")])
    assert bad.exit_code == 1 and "a key needs at least 32" in bad.output
