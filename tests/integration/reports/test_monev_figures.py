"""The monev figures of January 2025 on the data set of dataset.py, computed by hand, on SQLite
(window-function percentiles) and PostgreSQL (percentile_cont): both must give these numbers.

Working days (wd) are 24-hour local days Monday to Friday; 1 hour = 1/24 wd.
"""

from __future__ import annotations

from datetime import date

import pytest

from engine.app.reports.monev import monev_for
from engine.errors import InvalidData
from engine.store.tables import StepRunRow
from tests.integration.reports.dataset import build

HOUR_WD = 1 / 24
JAN = (date(2025, 1, 1), date(2025, 2, 1))


@pytest.fixture
def report(service, clock):
    build(service, clock)
    return monev_for(service, "surabaya-complaints", *JAN)


def figures(section, step_id):
    s = section.step(step_id)
    return {
        "entered": s.entered,
        "tickets_entered": s.tickets_entered,
        "reentered": s.reentered,
        "tickets_reentered": s.tickets_reentered,
        "finished": s.finished,
        "with_limit": s.with_limit,
        "met": s.met,
    }


def test_tickets_received_and_closed_count_local_days(report):
    total = report.total
    assert (total.tickets_received, total.tickets_closed) == (5, 2)  # T6 is 1 February in WIB
    by_scope = {s.scope: (s.tickets_received, s.tickets_closed) for s in report.scopes}
    assert by_scope == {"DSDABM": (3, 2), "DPRKPP": (1, 0), None: (1, 0)}
    assert report.scope_field == "agency"


def test_intake_steps_took_an_hour_each_all_within_limit(report):
    for step, done in (("receive_inquiry", 4), ("enter_into_app", 4), ("check_authority", 4)):
        s = report.total.step(step)
        assert (s.finished, s.met, s.with_limit) == (done, done, done)
        assert s.median == pytest.approx(HOUR_WD) and s.p90 == pytest.approx(HOUR_WD)
        assert s.unit == "working_days"
    assert report.total.step("receive_inquiry").entered == 5  # T5 was received, not accepted
    assert report.total.step("check_authority").finished_by == {
        "outside_authority": 1,
        "within_authority": 3,
    }


def test_the_agencys_first_response_in_hours_one_late(report):
    s = report.total.step("await_agency_response")
    assert figures(report.total, "await_agency_response") == {
        "entered": 3, "tickets_entered": 3, "reentered": 0, "tickets_reentered": 0,
        "finished": 2, "with_limit": 2, "met": 1,
    }  # fmt: skip
    assert s.unit == "hours" and s.share_met == 0.5
    assert s.median == pytest.approx(15.5)  # of 1 h and 30 h
    assert s.p90 == pytest.approx(1 + 0.9 * 29)
    dsdabm = report.scope("DSDABM").step("await_agency_response")
    assert (dsdabm.entered, dsdabm.finished, dsdabm.met, dsdabm.median) == (2, 1, 0, 30.0)
    assert report.scope("DPRKPP").step("await_agency_response").median == pytest.approx(1.0)


def test_follow_up_loops_and_pauses_in_working_days(report):
    assert figures(report.total, "follow_up") == {
        "entered": 3, "tickets_entered": 2, "reentered": 1, "tickets_reentered": 1,
        "finished": 3, "with_limit": 3, "met": 3,
    }  # fmt: skip
    s = report.total.step("follow_up")
    # T1: 2 wd, then 0.25 wd (Fri 09:00 -> Mon 15:00 is 1.25 wd, minus the 1 wd pause); T2: 1 wd.
    assert s.median == pytest.approx(1.0)
    assert s.p90 == pytest.approx(1.0 + 0.8 * 1.0)
    check = report.total.step("check_substance")
    assert check.finished_by == {"substance_not_ok": 1, "substance_ok": 2}
    assert (check.reentered, check.tickets_reentered) == (1, 1)
    assert check.median == pytest.approx(0.25)  # of 1/24, 0.25 and 0.5
    assert check.p90 == pytest.approx(0.25 + 0.8 * 0.25)


def test_validation_and_the_reporters_confirmation(report):
    v = report.total.step("validate")
    assert v.median == pytest.approx((0.5 + HOUR_WD) / 2)
    assert v.p90 == pytest.approx(HOUR_WD + 0.9 * (0.5 - HOUR_WD))
    c = report.total.step("await_confirmation")
    assert c.unit == "calendar_days"
    assert (c.finished, c.met, c.with_limit) == (2, 1, 2)
    assert c.finished_by == {"confirmed": 1, "no_confirmation": 1}  # closed with / without
    assert c.median == pytest.approx(4.0) and c.p90 == pytest.approx(1 + 0.9 * 6)
    second = report.total.step("second_notification")  # T2, closed by the system after 7 days
    assert (second.entered, second.finished, second.met, second.median) == (1, 1, 0, 7.0)
    assert second.finished_by == {"confirmation_period_ended": 1}
    closing = report.total.step("close_complaint")  # T1, T3 in an hour; T2 at once
    assert (closing.entered, closing.finished, closing.median) == (3, 3, pytest.approx(HOUR_WD))
    reply = report.total.step("reply_on_channel")
    assert (reply.entered, reply.finished) == (3, 2)
    assert report.total.step("enter_national_system").finished_by == {"entered_national": 1}


def test_notifications_per_rule_and_escalations(report):
    counts = {(n.rule, n.escalation): n.count for n in report.total.notifications}
    assert counts == {
        ("notify-agency-on-routing", False): 3,
        ("ask-agency-to-correct", False): 1,
        ("ask-reporter-for-info", False): 1,
        ("tell-reporter-result", False): 2,
        ("reply-on-channel", False): 2,
        ("send-second-notification", False): 1,
        ("first-response-late", False): 1,
        ("first-response-reminder", False): 1,
        ("first-response-escalation", False): 1,
        ("first-response-escalation", True): 1,
    }
    assert report.total.escalations == 1
    assert report.scope("DSDABM").notifications_sent == 11  # T1 5, T3 1, T4 5
    assert report.scope("DPRKPP").notifications_sent == 3


def test_scope_counts_add_up_to_the_whole(report):
    for step in report.total.steps:
        for name in ("entered", "tickets_entered", "finished", "met", "reentered"):
            parts = sum(getattr(s.step(step.id), name) for s in report.scopes)
            assert parts == getattr(step, name), (step.id, name)


def test_one_scope_value_only(service, clock):
    build(service, clock)
    one = monev_for(service, "surabaya-complaints", *JAN, scope="DPRKPP")
    assert one.total.scope == "DPRKPP" and one.scopes == ()
    assert (one.total.tickets_received, one.total.step("follow_up").finished) == (1, 1)


def test_a_period_of_one_week_counts_only_its_runs(service, clock):
    build(service, clock)
    week = monev_for(service, "surabaya-complaints", date(2025, 1, 20), date(2025, 1, 27))
    assert week.total.tickets_received == 2  # T3, T4
    assert week.total.step("receive_inquiry").finished == 2
    assert week.total.step("follow_up").entered == 0


def test_empty_period_and_bad_period(service, clock):
    build(service, clock)
    empty = monev_for(service, "surabaya-complaints", date(2024, 1, 1), date(2024, 2, 1))
    assert empty.total.tickets_received == 0 and empty.scopes == ()
    assert all(s.entered == 0 and s.median is None for s in empty.total.steps)
    assert [s.no for s in empty.total.steps] == list(range(1, 16))  # every ticket step, in order
    with pytest.raises(InvalidData, match="must end after it starts"):
        monev_for(service, "surabaya-complaints", date(2025, 2, 1), date(2025, 1, 1))


def test_step_rows_are_written_with_the_event_and_follow_the_tickets_scope(service, clock):
    tickets = build(service, clock)
    with service.store.read() as tx:
        rows = tx.conn.execute(
            StepRunRow.__table__.select()
            .where(StepRunRow.ticket_id == tickets.t1)
            .order_by(StepRunRow.visit)
        ).all()
    # created in step 1 before the agency was known; every row now carries it
    assert {r.scope_value for r in rows} == {"DSDABM"}
    assert [r.step for r in rows if r.attempt == 2] == ["follow_up", "check_substance"]
    second = next(r for r in rows if r.step == "follow_up" and r.attempt == 2)
    assert second.paused_seconds == 72 * 3600 and second.paused_amount == pytest.approx(1.0)
    assert second.elapsed == pytest.approx(0.25) and second.result == "met"
    assert rows[-1].finished is not None and len(rows) == 15  # steps 9 and 10 twice, no 6
