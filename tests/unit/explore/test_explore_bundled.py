"""Every SOP the project ships (the seed and the test SOPs) explores clean: no ticket gets
stuck or trapped, no invariant breaks, and every step, branch, event and time limit is reached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.authoring.explore import text_report
from engine.spec.model import END
from tests.support.seed import ROOT
from tests.unit.explore.conftest import SEED, explored, run

BUNDLED = sorted([*(ROOT / "sop").glob("*/*.yaml"), *(ROOT / "tests/sops/sop").glob("*/*.yaml")])


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.parent.name)
def test_a_bundled_sop_has_no_stuck_ticket_and_full_coverage(path: Path) -> None:
    exploration, found = explored(path)
    report = "\n".join(text_report(exploration, found, str(path)))
    assert not found, report
    assert not exploration.bounds_hit, report
    assert exploration.coverage is not None
    for what, (reached, total) in exploration.coverage.counts().items():
        assert reached == total, f"{what} not all reached:\n{report}"


def test_the_seed_invariants_are_each_checked_on_reached_tickets() -> None:
    """Each invariant the seed declares speaks of tickets the explorer did reach (none holds
    only because no ticket is where it looks)."""
    exploration, found = explored(SEED)
    spec = exploration.spec
    assert [i.id for i in spec.invariants] == [
        "in_progress_after_response",
        "followed_up_after_validation",
        "done_when_closed",
        "routed_has_agency",
    ]
    steps = tuple(s.id for s in spec.ticket_steps)
    for inv in spec.invariants:
        at = [n for n in exploration.nodes if inv.applies(n.ticket.state, steps)]
        assert at, f"no ticket reached where {inv.id} applies"
    closed = [n for n in exploration.nodes if n.ticket.state == END]
    assert closed and all(n.ticket.status == "done" for n in closed)
    assert not found


def test_sop_check_passes_the_bundled_sops_with_its_figures() -> None:
    code, out = run("check", ROOT / "sop", ROOT / "tests/sops/sop")
    assert code == 0, out
    assert out.strip().endswith(f"ok: {len(BUNDLED)} revision(s)")
    assert out.count("ok: no stuck ticket, no breach") == len(BUNDLED)
    seed = out.split("surabaya-complaints@r1", 1)[1]
    assert re.search(r"explored \d+ tickets in \d+\.\d\d s", seed)
    assert "coverage: steps 15/15, branches 2/2" in seed
