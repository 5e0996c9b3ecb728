"""Invariants: those an SOP declares (`invariants:`) and the engine's own, reported when a
reachable ticket breaks them, with the invariant's words and the sequence that broke it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from engine.authoring.explore import text_report
from tests.support.seed import ROOT
from tests.unit.explore.conftest import FIXTURES, SEED, explored, run, unchecked

SOPS = FIXTURES / "sop"


def test_a_declared_invariant_breached_is_reported_with_its_text_and_sequence() -> None:
    code, out = run("check", SOPS / "permit-number")
    assert code == 1, out
    assert (
        "BREACH of invariant issued_permit_has_number: Izin yang diterbitkan sudah bernomor" in out
    )
    assert "at end (status Disetujui): not true: Keputusan = refuse atau Nomor Izin diisi" in out
    assert "2. step 2 Memutuskan permohonan: decided by head {decision=approve} -> step 3" in out
    assert "3. step 3 Menerbitkan izin bernomor: issued by clerk {} -> end" in out
    assert "closed_with_decision" not in out  # it holds on every closed ticket
    assert "applicant_name=" not in out  # a personal value is never shown


def test_a_breach_in_json_names_the_invariant_and_the_events() -> None:
    code, out = run("check", SOPS / "permit-number", "--format", "json")
    assert code == 1
    (finding,) = json.loads(out)["revisions"][0]["findings"]
    assert finding["kind"] == "breach" and finding["step"] == "end"
    assert finding["invariant"] == {
        "id": "issued_permit_has_number",
        "text": "Izin yang diterbitkan sudah bernomor",
        "built_in": False,
    }
    assert [m["event"] for m in finding["sequence"]] == ["submitted", "decided", "issued"]
    assert finding["sequence"][2]["data"] == []


def test_a_timer_that_outlives_the_closed_ticket_breaks_a_built_in_invariant() -> None:
    exploration, found = explored(SOPS / "closing-timer" / "v1.yaml")
    (breach,) = found
    assert breach.invariant is not None and breach.built_in
    assert breach.invariant[0] == "closed_no_deadline"
    assert breach.message == "still pending: answer_reminder"
    assert not exploration.nodes[breach.node].ticket.is_open


def _seed_copy(tmp: Path, old: str, new: str) -> Path:
    (tmp / "sop/surabaya-complaints").mkdir(parents=True)
    shutil.copytree(ROOT / "rules", tmp / "rules")
    text = SEED.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp / "sop/surabaya-complaints/r1.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_the_seed_invariants_catch_a_validation_that_forgets_its_status(tmp_path: Path) -> None:
    """Row 11 sets Sudah Ditindaklanjuti; a revision that drops it breaks the invariant."""
    path = _seed_copy(tmp_path, "    status: followed_up\n", "")
    exploration, found = explored(path)
    (breach,) = found
    assert breach.invariant == (
        "followed_up_after_validation",
        "Ketika dilakukan validasi hasil tindak lanjut status pengaduan menjadi Sudah "
        "Ditindaklanjuti",
    )
    assert exploration.nodes[breach.node].ticket.state == "await_confirmation"
    text = "\n".join(text_report(exploration, found, str(path)))
    assert "the status is Sedang Ditindaklanjuti (in_progress), not Sudah Ditindaklanjuti" in text
    assert "validated by staff {} -> step 12" in text


def test_an_automatic_close_the_next_step_refuses_is_reported(tmp_path: Path) -> None:
    """Were row 14 to need the reply text, the automatic closing after the second 7 days
    (rule auto-close) would be refused every time the sweeper tried it."""
    row_14 = (
        "      - {text: %s}\n    time_limit: 1 working day\n    output: Perubahan status "
        "pengaduan\n    remarks: Ketika pengaduan ditutup"
    )
    before = row_14 % "Tiket dan Detail Pengaduan"
    path = _seed_copy(tmp_path, before, row_14 % "Tanggapan, fields: [reply_text]")
    # The path check refuses such a revision at load (input_never_supplied at row 14); the
    # explorer finds what it would do all the same.
    exploration, found = explored(unchecked(path))
    refused = [f for f in found if f.kind == "refused_due"]
    assert [exploration.nodes[f.node].ticket.state for f in refused] == ["second_notification"]
    assert refused[0].message.startswith("deadline of second_notification: missing_inputs:")
    assert "'close'" in refused[0].message and "reply_text" in refused[0].message
    report = "\n".join(text_report(exploration, found, str(path)))
    assert "REFUSED WHEN DUE at step 13" in report
