"""Time limits as the paper writes them: Indonesian and English, verbatim."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.spec.durations import parse_duration
from engine.spec.load import load_revision
from engine.spec.model import Duration, TimeDefaults
from engine.spec.validate import check_revision_file

WORKING = TimeDefaults(day="working_days")
OFFICE = TimeDefaults(office_time=True)
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("text", "amount", "unit", "office"),
    [
        ("30 detik", 30, "seconds", False),
        ("15 menit", 15, "minutes", False),
        ("2 jam", 2, "hours", False),
        ("1x24 jam", 24, "hours", False),
        ("1 x 24 jam", 24, "hours", False),
        ("1 hari kerja", 1, "working_days", False),
        ("3 hari", 3, "calendar_days", False),
        ("7 hari kalender", 7, "calendar_days", False),
        ("2 minggu", 14, "calendar_days", False),
        ("0,5 hari kerja", 0.5, "working_days", False),
        ("30 seconds", 30, "seconds", False),
        ("3 working days", 3, "working_days", False),
        ("1 working day", 1, "working_days", False),
        ("24 hours", 24, "hours", False),
        ("2 weeks", 14, "calendar_days", False),
        ("15 menit kerja", 15, "minutes", True),
        ("30 detik kerja", 30, "seconds", True),
        ("2 jam kerja", 2, "hours", True),
        ("15 office minutes", 15, "minutes", True),
        ("  15   Menit ", 15, "minutes", False),
    ],
)
def test_every_spelling_of_the_paper_is_read(
    text: str, amount: float, unit: str, office: bool
) -> None:
    got = parse_duration(text)
    assert (got.amount, got.unit, got.office) == (amount, unit, office)


def test_the_author_s_words_are_kept_but_do_not_change_the_meaning() -> None:
    assert parse_duration("1x24 jam").text == "1x24 jam"
    assert parse_duration("1x24 jam") == parse_duration("24 hours") == Duration(24, "hours")


def test_a_bare_day_means_what_the_sop_declares() -> None:
    assert parse_duration("3 hari").unit == "calendar_days"  # as before: nothing declared
    assert parse_duration("3 hari", WORKING).unit == "working_days"
    assert parse_duration("1 day", WORKING).unit == "working_days"
    assert parse_duration("3 hari kalender", WORKING).unit == "calendar_days"


def test_an_sop_may_count_bare_minutes_in_office_time() -> None:
    assert parse_duration("15 menit", OFFICE).office
    assert parse_duration("30 detik", OFFICE).office
    assert not parse_duration("1 hari kerja", OFFICE).office
    assert not parse_duration("3 hari", OFFICE).office


@pytest.mark.parametrize(
    "text", ["2 hr kerja", "satu hari", "15", "menit", "3x2 hari", "1 fortnight", "-3 jam"]
)
def test_an_unreadable_limit_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        parse_duration(text)


def test_a_zero_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="greater than zero"):
        parse_duration("0 menit")


def seed_with(tmp_path: Path, old: str, new: str) -> Path:
    """The seed with one text replaced, in a temporary tree."""
    (tmp_path / "sop/surabaya-complaints").mkdir(parents=True)
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    text = (ROOT / "sop/surabaya-complaints/r1.yaml").read_text()
    assert old in text
    path = tmp_path / "sop/surabaya-complaints/r1.yaml"
    path.write_text(text.replace(old, new, 1))
    return path


def test_a_refused_limit_in_a_revision_lists_the_accepted_spellings(tmp_path: Path) -> None:
    path = seed_with(tmp_path, "time_limit: 1 working day", "time_limit: 1 hr kerja")
    (p,) = check_revision_file(path).problems
    assert (p.code, p.path) == ("bad_duration", "steps[0].time_limit")
    assert "30 detik" in p.hint and "1x24 jam" in p.hint and "3 working days" in p.hint
    assert p.line > 0


def test_the_revision_declares_what_a_bare_day_means(tmp_path: Path) -> None:
    path = seed_with(
        tmp_path,
        "time_limit: 1 working day",
        "time_limit: 1 hari",
    )
    text = path.read_text().replace(
        "default_calendar: working", "defaults: {day: working_days}\ndefault_calendar: working"
    )
    path.write_text(text)
    spec = load_revision(path, tmp_path / "rules")
    limit = spec.steps[0].time_limit
    assert limit is not None and (limit.unit, limit.text) == ("working_days", "1 hari")


def test_a_defaults_block_with_an_unknown_meaning_is_refused(tmp_path: Path) -> None:
    path = seed_with(
        tmp_path,
        "default_calendar: working",
        "defaults: {day: work_days}\ndefault_calendar: working",
    )
    (p,) = check_revision_file(path).problems
    assert (p.code, p.path) == ("bad_value", "defaults.day")
    assert "working_days" in p.hint
