"""Where a running step's due time goes when its ticket moves from r1 (step 9: 3 working days)
to r2 (step 9: 2 working days): kept, or recomputed keeping the time already used."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from engine.app.revisions.deadlines import moved_run
from engine.core.model import StepRun
from engine.spec.catalog import Catalog
from tests.integration.revisions.conftest import SOP, Tree
from tests.support.seed import WIB


def at(day: int, hour: int = 9) -> datetime:
    """January 2025, Surabaya time: Monday 6 to Friday 17 hold no holiday."""
    return datetime(2025, 1, day, hour, 0, tzinfo=WIB)


@pytest.fixture
def specs(tree: Tree) -> Catalog:
    tree.add_r2()
    return tree.catalog()


def move(specs: Catalog, run: StepRun, now: datetime, policy: str = "recompute", to=None):
    a, b = specs.get(SOP, "r1"), specs.get(SOP, "r2")
    new = to or b.step("follow_up")
    return moved_run(run, a, a.step(run.step), b, new, policy, now)


def test_keep_leaves_the_due_time(specs):
    run = StepRun("follow_up", 9, at(6), at(9))
    moved, note = move(specs, run, at(7), "keep")
    assert (moved.step, moved.no, moved.due, moved.started) == ("follow_up", 9, at(9), at(6))
    assert note == ""


def test_recompute_counts_the_new_limit_from_the_start(specs):
    moved, note = move(specs, StepRun("follow_up", 9, at(6), at(9)), at(7))
    assert moved.due == at(8)  # Monday 09:00 + 2 working days
    assert note == ""


def test_recompute_skips_the_weekend_the_run_already_spent(specs):
    friday = StepRun("follow_up", 9, at(10), at(15))  # r1: Friday + 3 working days
    moved, _ = move(specs, friday, at(13))  # Monday: 1 working day used
    assert moved.due == at(14)


def test_a_limit_already_used_up_falls_due_when_it_ran_out(specs):
    moved, note = move(specs, StepRun("follow_up", 9, at(6), at(9)), at(8, 12))
    assert moved.due == at(8)
    assert "used up already" in note


def test_a_pause_keeps_its_length(specs):
    # Paused Tuesday 09:00 to Wednesday 09:00: r1's due moved from Thursday to Friday.
    run = StepRun("follow_up", 9, at(6), at(10), paused_seconds=86400.0)
    moved, _ = move(specs, run, at(8, 21))  # 1.5 of r1's 3 days left: 1.5 of 2 used
    assert moved.due == at(9)  # r2 with the same pause: Wednesday 09:00 + the 1-day pause


def test_a_stopped_clock_counts_from_when_it_stopped(specs):
    run = StepRun("follow_up", 9, at(6), at(9), paused_at=at(7))
    moved, _ = move(specs, run, at(9, 15))
    assert moved.due == at(8)  # 1 day used by Tuesday: 1 left from then; a resume shifts it
    assert moved.paused_at == at(7)


def test_another_unit_is_counted_in_the_new_limits_unit(specs):
    a, b = specs.get(SOP, "r1"), specs.get(SOP, "r2")
    # Step 8 (24 hours), 12 of its first 12 hours paused: nothing used yet by Monday 21:00.
    run = StepRun("await_agency_response", 8, at(6), at(8), paused_seconds=12 * 3600.0)
    old, new = a.step(run.step), b.step("follow_up")
    moved, note = moved_run(run, a, old, b, new, "recompute", at(6, 21))
    assert (moved.step, moved.no, moved.due) == ("follow_up", 9, at(8, 21))
    assert "approximate" in note


def test_a_breached_run_stays_breached(specs):
    run = StepRun("follow_up", 9, at(6), at(9), breached_at=at(9))
    moved, note = move(specs, run, at(10))
    assert (moved.due, moved.breached_at) == (at(9), at(9))
    assert "stays breached" in note


def test_a_step_without_a_limit_has_no_due_time(specs):
    new = replace(specs.get(SOP, "r2").step("follow_up"), time_limit=None)
    moved, note = move(specs, StepRun("follow_up", 9, at(6), at(9)), at(7), to=new)
    assert moved.due is None
    assert "no time limit" in note


def test_keep_gives_a_run_without_due_time_the_new_limit(specs):
    moved, note = move(specs, StepRun("follow_up", 9, at(6), None), at(7), "keep")
    assert moved.due == at(8)
    assert note.startswith("it had no due time")


def test_an_unknown_policy_is_refused(specs):
    with pytest.raises(ValueError, match="keep, recompute"):
        move(specs, StepRun("follow_up", 9, at(6), at(9)), at(7), "stretch")
