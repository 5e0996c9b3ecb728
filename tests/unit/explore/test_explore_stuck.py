"""Tickets nothing will ever move (STUCK) or that move but never close (TRAPPED), each found
with the sequence of events that reached it: the seed before the WargaKu fix, and fixtures a
static path check cannot see (tests/fixtures/explore/)."""

from __future__ import annotations

import json

from engine.authoring.explore import text_report
from tests.support.seed import ROOT
from tests.unit.explore.conftest import FIXTURES, PRE_FIX_SEED, explored, run, unchecked

SOPS = FIXTURES / "sop"


def test_the_pre_fix_seed_sticks_a_wargaku_complaint_at_step_7() -> None:
    exploration, found = explored(unchecked(PRE_FIX_SEED))
    stuck = {exploration.nodes[f.node].ticket.state: f for f in found if f.kind == "stuck"}
    assert set(stuck) == {"route_to_agency", "enter_national_system"}
    moves = exploration.sequence(stuck["route_to_agency"].node)
    route = [(m.event, m.log[-1].to_state) for m in moves]
    assert route == [
        ("accept", "monitor_channels"),
        ("triage", "respond_to_reporter"),  # the WargaKu branch skips step 3
        ("responded", "check_authority"),
        ("within_authority", "route_to_agency"),
        ("", "route_to_agency"),  # time passes: the step's deadline, then nothing
    ]
    assert moves[1].data["channel"] == "wargaku"
    assert "category" not in moves[2].data  # the response gave no Kategori/Topik
    lines = "\n".join(text_report(exploration, found, str(PRE_FIX_SEED)))
    assert (
        "STUCK at step 7 Menyalurkan pengaduan ke Perangkat Daerah sesuai kewenangan "
        "(status Sedang Ditindaklanjuti" in lines
    )
    assert "triage by staff {channel=wargaku, social_media} -> step 4" in lines
    assert "missing category: Kategori; topic: Topik" in lines


def test_a_close_only_a_rule_fires_with_a_filter_that_never_matches_is_stuck() -> None:
    code, out = run("check", SOPS / "announcement")
    assert code == 1, out
    assert "STUCK at step 3 Mengumumkan keputusan selama 3 hari" in out
    assert "announcement_ended: only a rule fires it (by system)" in out
    assert "2. step 2 Memutuskan perkara: decided by head {} -> step 3" in out
    assert "time passes to 2025-01-09T09:00+07:00: time limit of step 3 passed" in out
    assert "never applied: announce.announcement_ended" in out


def test_a_value_no_branch_covers_is_stuck_at_the_routing_step() -> None:
    code, out = run("check", SOPS / "complaint-routing", "--format", "json")
    assert code == 1, out
    (report,) = json.loads(out)["revisions"]
    (finding,) = report["findings"]
    assert (finding["kind"], finding["step"], finding["step_no"]) == ("stuck", "route", 2)
    first = finding["sequence"][0]
    assert (first["event"], first["values"]) == ("recorded", {"category": "lainnya"})
    assert any("matched no branch" in r for r in finding["refusals"])
    assert report["coverage"]["branches"] == {"reached": 2, "all": 2, "missed": []}


def test_a_pause_only_a_rule_could_end_is_trapped_while_reminders_go_on() -> None:
    exploration, found = explored(SOPS / "document-wait" / "v1.yaml")
    (trapped,) = found
    assert trapped.kind == "trapped"
    moves = exploration.sequence(trapped.node)
    assert moves[0].event == "document_requested"
    assert [e.event for e in moves[-1].log] == ["timer"]  # it goes round: a reminder a day
    assert exploration.nodes[trapped.node].ticket.active.paused_at is not None


def test_bounds_hit_are_said_and_are_not_findings() -> None:
    code, out = run("check", ROOT / "sop", "--max-states", "20")
    assert code == 0, out
    assert "BOUND HIT: max_states (depth 60, max states 20)" in out
    assert "explored 20 tickets" in out
    seed = ROOT / "sop" / "surabaya-complaints"
    code, out = run("check", seed, "--depth", "3", "--format", "json")
    (report,) = json.loads(out)["revisions"]
    assert report["bounds_hit"] == ["depth"] and report["depth_reached"] == 3
    assert report["unexplored"] > 0
    assert code == 0  # a bound hit is said, and is not a finding


def test_an_invalid_sop_is_bad_input_with_located_problems() -> None:
    broken = ROOT / "tests/fixtures/broken"
    code, out = run("check", broken / "sop/unknown-step", "--rules", broken / "rules")
    assert code == 2
    assert "unknown_step: steps[1].events.verified.to: no step 'decidee' is defined" in out
    assert "did you mean 'decide'?" in out
    code, out = run("check", FIXTURES / "nothing-here")
    assert code == 2 and "file_not_found" in out
