"""The impact section: open tickets whose step is gone, and deadlines that would move."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from engine.authoring.diff import diff_specs
from engine.core import compile_revision
from engine.core.model import Ticket
from engine.spec.model import Spec
from tests.support.seed import MONDAY, OTHER_CHANNEL, WIB, Driver


def at_follow_up(spec: Spec) -> Ticket:
    """Routed, and the agency responded at Monday 16:00: step 9 (3 working days) runs."""
    drv = Driver(compile_revision(spec), OTHER_CHANNEL)
    drv.to_routing()
    drv.post("agency_responded", "agency")
    assert drv.ticket.state == "follow_up"
    assert drv.ticket.active.started == MONDAY + timedelta(hours=7)
    return drv.ticket


def at_second_notification(spec: Spec) -> Ticket:
    drv = Driver(compile_revision(spec), OTHER_CHANNEL)
    drv.to_validated()
    drv.advance(timedelta(days=7, hours=1))  # no confirmation: the system's second notice
    assert drv.ticket.state == "second_notification"
    return drv.ticket


def test_a_tighter_limit_moves_the_deadline_of_a_ticket_in_that_step(r1: Spec, r2: Spec):
    ticket = at_follow_up(r1)
    impact = diff_specs(r1, r2, [ticket]).impact
    assert impact is not None
    assert (impact.checked, impact.skipped) == (1, 0)
    (entry,) = impact.entries
    assert entry.kind == "deadline_moves"
    assert (entry.ticket_id, entry.state, entry.step_no) == ("T-1", "follow_up", 9)
    # Monday 6 January 2025 16:00 WIB + 3 / 2 working days.
    assert entry.old_due == datetime(2025, 1, 9, 16, 0, tzinfo=WIB)
    assert entry.new_due == datetime(2025, 1, 8, 16, 0, tzinfo=WIB)
    assert entry.note == "3 working days -> 2 working days, tighter"


def test_tickets_elsewhere_are_not_affected_by_the_seed_r2(r1: Spec, r2: Spec):
    drv = Driver(compile_revision(r1), OTHER_CHANNEL)
    drv.to_routing()  # waiting for the agency's first response (step 8): unchanged in r2
    impact = diff_specs(r1, r2, [drv.ticket]).impact
    assert impact is not None
    assert impact.checked == 1 and impact.entries == ()
    assert "none affected" in diff_specs(r1, r2, [drv.ticket]).to_text()


def test_a_ticket_in_a_step_that_no_longer_exists(r1: Spec):
    without = replace(
        r1,
        steps=tuple(s for s in r1.steps if s.id != "second_notification"),
        statuses=tuple(s for s in r1.statuses if s.id != "followed_up"),
    )
    ticket = at_second_notification(r1)
    impact = diff_specs(r1, without, [ticket]).impact
    assert impact is not None
    kinds = {(e.kind, e.state, e.step_no, e.status) for e in impact.entries}
    assert kinds == {
        ("state_removed", "second_notification", 13, "followed_up"),
        ("status_removed", "second_notification", 13, "followed_up"),
    }


def test_paused_time_is_kept_when_the_deadline_moves(r1: Spec, r2: Spec):
    drv = Driver(compile_revision(r1), OTHER_CHANNEL)
    drv.to_routing()
    drv.post("agency_responded", "agency")  # Monday 16:00
    drv.post("info_requested", "agency", {"info_request": "Lokasi tepatnya?"})  # 17:00
    drv.post("info_provided", "reporter", after=timedelta(days=1))  # Tuesday 17:00
    run = drv.ticket.active
    assert run.due == datetime(2025, 1, 10, 16, 0, tzinfo=WIB)  # one working day later
    (entry,) = diff_specs(r1, r2, [drv.ticket]).impact.entries
    assert entry.new_due == datetime(2025, 1, 9, 16, 0, tzinfo=WIB)
    assert "keeps the time its clock stood still" in entry.note


def test_closed_tickets_and_tickets_of_other_revisions_are_skipped(r1: Spec, r2: Spec):
    open_one = at_follow_up(r1)
    closed = replace(open_one, id="T-2", closed=MONDAY)
    on_r2 = replace(open_one, id="T-3", revision="r2")
    impact = diff_specs(r1, r2, [open_one, closed, on_r2]).impact
    assert impact is not None
    assert (impact.checked, impact.skipped) == (1, 2)
    assert [e.ticket_id for e in impact.entries] == ["T-1"]


def test_the_impact_in_every_format(r1: Spec, r2: Spec):
    result = diff_specs(r1, r2, [at_follow_up(r1)])
    text = result.to_text()
    assert "Impact on open tickets (1 checked, 0 skipped)" in text
    assert (
        "T-1, step 9 (follow_up): deadline moves 2025-01-09 16:00 WIB -> 2025-01-08 16:00 WIB"
        in text
    )
    md = result.to_markdown()
    assert "## Impact on open tickets" in md
    assert (
        "| T-1 | 9 (follow_up) | deadline moves | 2025-01-09 16:00 WIB | 2025-01-08 16:00 WIB |"
        in md
    )
    doc = result.to_json()["impact"]
    assert doc["tickets"][0]["old_due"] == "2025-01-09T16:00:00+07:00"
    assert doc["tickets"][0]["new_due"] == "2025-01-08T16:00:00+07:00"
