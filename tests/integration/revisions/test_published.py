"""A revision that governed a ticket is published: its file (and its rules files) may not change
under the same label. Start-up refuses such a file with `revision_changed`, naming both hashes;
unchanged files, and drafts no ticket used yet, are fine."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from api.bootstrap import build_runtime
from engine.app.revisions.immutability import check_published
from engine.cli import main
from engine.errors import RevisionChanged, SopInvalid
from engine.spec.load import load_revision
from engine.store.revisions import RevisionTexts, spec_from_texts
from engine.store.tables import TicketRow
from tests.integration.revisions.conftest import SOP
from tests.support.seed import ROOT


def _config(tree, tmp_path):
    return {
        "SOP_ROOT": str(tree.sop_root),
        "SOP_RULES_DIR": str(tree.rules_dir),
        "SOP_DATA_DIR": str(tmp_path / "data"),
        "SOP_DEV": True,
        "SOP_CLOCK": "manual",
        "SOP_CLOCK_START": "2025-01-06T09:00:00+07:00",
    }


def _open_a_ticket(cfg):
    rt = build_runtime(cfg)
    try:
        rt.service.create_ticket(SOP, {"channel": "email"}, actor="staff", user="op")
        return rt.catalog.get(SOP, "r1").content_hash
    finally:
        rt.close()


def test_a_published_revision_edited_in_place_is_refused_at_start_up(tree, tmp_path):
    cfg = _config(tree, tmp_path)
    published = _open_a_ticket(cfg)
    tree.touch(tree.revision("r1"))
    edited = tree.catalog().get(SOP, "r1").content_hash
    with pytest.raises(RevisionChanged) as caught:
        build_runtime(cfg)
    exc = caught.value
    assert exc.code == "revision_changed"
    (problem,) = exc.problems
    assert problem.code == "revision_changed"
    assert problem.file == str(tree.revision("r1"))
    assert published in problem.message and edited in problem.message
    assert "new revision" in problem.hint


def test_unchanged_files_start_again(tree, tmp_path):
    cfg = _config(tree, tmp_path)
    _open_a_ticket(cfg)
    rt = build_runtime(cfg)
    rt.close()


def test_an_edited_rules_file_changes_the_revision_too(tree, tmp_path):
    cfg = _config(tree, tmp_path)
    _open_a_ticket(cfg)
    tree.touch(tree.rules("r1"))
    with pytest.raises(RevisionChanged) as caught:
        build_runtime(cfg)
    assert caught.value.message.startswith("1 published revision(s) changed in place")
    assert [p.file for p in caught.value.problems] == [str(tree.revision("r1"))]


def test_a_draft_no_ticket_used_may_still_change(tree, make_service, store, desk_for):
    tree.add_r2()  # in force from 2026: no ticket of 2025 is governed by it
    service = make_service(tree)
    desk_for(service).new()
    tree.touch(tree.revision("r2"))
    check_published(tree.catalog(), store)  # no error
    tree.touch(tree.revision("r1"))
    with pytest.raises(RevisionChanged) as caught:
        check_published(tree.catalog(), store)
    assert [p.file for p in caught.value.problems] == [str(tree.revision("r1"))]


def test_a_revision_that_governed_tickets_stays_published_after_they_moved_on(
    tree, make_service, store, desk_for
):
    """The log still names the revision's hash even when no ticket is pinned to it now."""
    service = make_service(tree)
    ticket = desk_for(service).new().ticket
    with store.write() as tx:  # as if the ticket had been migrated away
        tx.conn.execute(
            update(TicketRow).where(TicketRow.id == ticket.id).values(spec_hash="elsewhere")
        )
    tree.touch(tree.revision("r1"))
    with pytest.raises(RevisionChanged):
        check_published(tree.catalog(), store)


def test_the_cli_says_why_it_will_not_start(tree, tmp_path):
    cfg = _config(tree, tmp_path)
    _open_a_ticket(cfg)
    tree.touch(tree.revision("r1"))
    args = ["sweep", "--sop-root", cfg["SOP_ROOT"], "--rules-dir", cfg["SOP_RULES_DIR"]]
    result = CliRunner().invoke(main, [*args, "--data-dir", cfg["SOP_DATA_DIR"]])
    assert result.exit_code == 1
    assert "revision_changed" in result.output
    assert "r1.yaml" in result.output


def test_a_stored_revision_older_than_the_path_check_still_rebuilds_for_its_tickets():
    """The path check refuses a revision in which a ticket can get stuck; the store's texts of a
    revision published before the check existed are rebuilt anyway, or its tickets would turn
    unreadable on the next start."""
    stuck = ROOT / "tests/fixtures/broken/sop/wargaku-stuck/r1.yaml"
    with pytest.raises(SopInvalid) as refused:
        load_revision(stuck)
    assert "input_never_supplied" in {p.code for p in refused.value.problems}
    text = stuck.read_bytes().decode("utf-8")
    spec = spec_from_texts(RevisionTexts("wargaku-stuck", "r1", "", text, {}))
    assert spec.step("route_to_agency").event("routed").accepts == ("agency",)
