"""What a changed time limit means: compared in a common unit only where that is sound."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.authoring.diff import diff_specs
from engine.authoring.diff_time import approx_calendar_days, limit_verdict
from engine.spec.model import Duration, Spec


def d(text: str) -> Duration:
    amount, unit = text.split(" ", 1)
    return Duration(float(amount), unit)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("old", "new", "verdict"),
    [
        ("3 working_days", "2 working_days", "tighter"),
        ("2 working_days", "3 working_days", "looser"),
        ("24 hours", "1 calendar_days", "same length"),  # exact units compare exactly
        ("48 hours", "1 calendar_days", "tighter"),
        ("90 minutes", "1 hours", "tighter"),
        ("7 calendar_days", "200 hours", "looser"),
        ("24 hours", "1 working_days", "looser"),  # never shorter, longer over a weekend
        ("3 working_days", "2 calendar_days", "tighter"),  # 3 working days last >= 3 days
        ("3 working_days", "3 calendar_days", "tighter"),
        ("3 working_days", "4 calendar_days", "changed unit"),  # shorter or longer, by start
        ("3 working_days", "5 calendar_days", "changed unit"),  # 5 days is 3 + a weekend
        ("3 working_days", "6 calendar_days", "looser"),  # beyond 3 days + a weekend
        ("7 calendar_days", "5 working_days", "changed unit"),  # 7 with no holiday, else more
        ("7 calendar_days", "4 working_days", "tighter"),  # at most 6 days, holidays aside
        ("7 calendar_days", "8 working_days", "looser"),
    ],
)
def test_verdicts(old: str, new: str, verdict: str):
    assert limit_verdict(d(old), d(new)) == verdict


def test_a_limit_added_removed_or_kept():
    assert limit_verdict(None, d("1 hours")) == "added"
    assert limit_verdict(d("1 hours"), None) == "removed"
    assert limit_verdict(d("1 hours"), d("1 hours")) == "unchanged"


def test_the_rough_figure_is_one_point_four_calendar_days_per_working_day():
    assert approx_calendar_days(d("5 working_days")) == 7.0
    assert approx_calendar_days(d("36 hours")) == 1.5


def test_a_changed_unit_is_said_so_in_the_report(r1: Spec):
    steps = [
        replace(s, time_limit=d("4 calendar_days")) if s.id == "follow_up" else s for s in r1.steps
    ]
    result = diff_specs(r1, replace(r1, steps=tuple(steps)))
    (change,) = result.changes
    assert change.note == "changed unit"
    text = result.to_text()
    assert "time limit: 3 working days -> 4 calendar days, changed unit (roughly 4.2 -> 4" in text
