"""Every scenario shipped with an SOP runs through the engine as its own pytest test: the seed's
beside sop/surabaya-complaints/r1.yaml, and the other, unrelated SOPs' in tests/sops/."""

from __future__ import annotations

import pytest

from engine.authoring.scenario import collect, run_scenario
from engine.spec.catalog import load_catalog
from tests.unit.scenario.paths import PERMIT_ROOT, ROOT

SEED_CASES = collect(load_catalog(ROOT / "sop").revisions("surabaya-complaints"))
PERMIT_CASES = collect(load_catalog(PERMIT_ROOT).revisions("building-permit"))
LEAVE_CASES = collect(load_catalog(PERMIT_ROOT).revisions("leave-request"))
SIGNOFF_CASES = collect(load_catalog(PERMIT_ROOT).revisions("practice-permit"))
LETTER_DESK_CASES = collect(load_catalog(PERMIT_ROOT).revisions("incoming-letter-desk"))
VET_CASES = collect(load_catalog(PERMIT_ROOT).revisions("vet-practice-permit"))


def _check(case) -> None:
    result = run_scenario(case.rev, case.scenario)
    assert result.passed, "\n".join(result.failure.lines())


@pytest.mark.parametrize("case", SEED_CASES.cases, ids=lambda c: c.id)
def test_seed_scenario(case) -> None:
    _check(case)


@pytest.mark.parametrize("case", PERMIT_CASES.cases, ids=lambda c: c.id)
def test_building_permit_scenario(case) -> None:
    _check(case)


@pytest.mark.parametrize("case", LEAVE_CASES.cases, ids=lambda c: c.id)
def test_leave_request_scenario(case) -> None:
    """Outcome statuses set by events and branches, with no rule; a precondition."""
    _check(case)


@pytest.mark.parametrize("case", SIGNOFF_CASES.cases, ids=lambda c: c.id)
def test_signoff_chain_scenario(case) -> None:
    _check(case)


@pytest.mark.parametrize("case", LETTER_DESK_CASES.cases, ids=lambda c: c.id)
def test_incoming_letter_desk_scenario(case) -> None:
    """Seconds and minutes counted in office hours (WITA), Ramadan hours, a closure, a pause."""
    _check(case)


def test_incoming_letter_desk_scenarios_are_valid_and_cover_its_calendar() -> None:
    assert LETTER_DESK_CASES.problems == []
    names = " ".join(c.scenario.name for c in LETTER_DESK_CASES.cases)
    for words in ("before closing", "next office morning", "Saturday morning", "Ramadan"):
        assert words in names
    for words in ("closed", "delayed", "staff member", "archive"):
        assert words in names


def test_signoff_chain_scenarios_are_valid() -> None:
    assert SIGNOFF_CASES.problems == []
    assert len(SIGNOFF_CASES.cases) >= 2


@pytest.mark.parametrize("case", VET_CASES.cases, ids=lambda c: c.id)
def test_vet_practice_permit_scenario(case) -> None:
    """A permit with no identity block: outcome statuses, a return loop, a sign-off chain."""
    _check(case)


def test_vet_practice_permit_scenarios_are_valid_and_cover_its_paths() -> None:
    assert VET_CASES.problems == []
    names = " ".join(c.scenario.name for c in VET_CASES.cases)
    for words in (
        "permit is issued",
        "rejection letter",
        "returned",
        "sends the draft back",
        "breach",
    ):
        assert words in names


def test_seed_scenario_files_are_valid_and_cover_every_branch_and_deadline() -> None:
    assert SEED_CASES.problems == []
    assert len(SEED_CASES.cases) >= 14
    names = " ".join(c.scenario.name for c in SEED_CASES.cases)
    for words in ("1-2-4", "1-2-3-4", "5-7-8", "5-6-14-15", "10-9-10", "12-14-15", "12-13-14-15"):
        assert words in names


def test_second_sop_scenarios_are_valid() -> None:
    assert PERMIT_CASES.problems == []
    assert len(PERMIT_CASES.cases) >= 4


def test_leave_request_scenarios_are_valid_and_show_both_outcomes() -> None:
    assert LEAVE_CASES.problems == []
    names = " ".join(c.scenario.name for c in LEAVE_CASES.cases)
    assert "approves" in names and "rejects" in names and "returned" in names
