"""Sign-offs inside a row (`signoffs:`): what an author gets wrong is located, with a hint."""

from __future__ import annotations

from pathlib import Path

from engine.errors import Problem
from engine.spec.load import load_revision
from engine.spec.model import Duration
from engine.spec.validate import check_revision_file

ROOT = Path(__file__).resolve().parents[3]
PERMIT = ROOT / "tests/sops/sop/practice-permit/v1.yaml"


def variant(tmp: Path, old: str, new: str) -> Path:
    text = PERMIT.read_text()
    assert old in text
    path = tmp / "sop/practice-permit/v1.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text.replace(old, new, 1))
    return path


def only(path: Path) -> Problem:
    problems = check_revision_file(path).problems
    assert len(problems) == 1, "\n".join(p.format() for p in problems)
    return problems[0]


def test_the_sign_offs_load_in_order_with_their_own_limits() -> None:
    step = load_revision(PERMIT).step("approve")
    assert [s.id for s in step.signoffs] == ["kasi", "kabid", "kepala"]
    assert [s.performer for s in step.signoffs] == ["kasi", "kabid", "kepala"]
    assert step.signoffs[0].time_limit == Duration(4, "hours")
    assert step.signoffs[1].reject == ("sent_back",)
    assert step.signoffs[2].text == "Tanda tangan Kepala Dinas"


def test_a_step_without_signoffs_has_none() -> None:
    assert load_revision(PERMIT).step("verify").signoffs == ()


def test_an_unknown_performer_is_located_with_a_hint(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "performer: kabid", "performer: kabdi"))
    assert p.code == "unknown_actor"
    assert p.path == "steps[1].signoffs[1].performer"
    assert "kabid" in p.hint
    lines = PERMIT.read_text().splitlines()
    assert "performer: kabid" in lines[p.line - 1]


def test_a_sign_off_id_used_twice_is_refused(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "- id: kabid", "- id: kasi"))
    assert p.code == "duplicate_signoff"
    assert p.path == "steps[1].signoffs[1].id"
    assert "signoffs[0]" in p.hint


def test_a_sign_off_event_clashing_with_a_step_event_is_refused(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "event: kepala_signed", "event: signed_off"))
    assert p.code == "signoff_event_clash"
    assert p.path == "steps[1].signoffs[2].event"
    assert "step's own events" in p.message
    assert "signed_off_signed" in p.hint


def test_two_sign_offs_with_one_event_are_refused(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "event: kabid_initialled", "event: kasi_initialled"))
    assert p.code == "signoff_event_clash"
    assert "signoffs[0]" in p.message


def test_a_reject_must_name_a_step_event_that_moves(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "reject: [sent_back]", "reject: [sent_bak]"))
    assert p.code == "unknown_event"
    assert p.path == "steps[1].signoffs[1].reject[0]"
    assert "sent_back" in p.hint


def test_a_sign_off_limit_is_read_like_a_step_limit(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "time_limit: 4 hours", "time_limit: 4 hourz"))
    assert p.code == "bad_duration"
    assert p.path == "steps[1].signoffs[0].time_limit"


def test_a_sign_off_needs_its_text(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "        text: Paraf Kepala Seksi Perizinan\n", ""))
    assert (p.code, p.path) == ("missing_key", "steps[1].signoffs[0].text")
