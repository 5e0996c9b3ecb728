""" "Is this step overdue?": the core's one answer, which the API and the web pages show."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from engine.core.model import Deadline, StepRun, Ticket
from engine.core.timing import deadline_overdue, run_late, ticket_overdue
from tests.support.seed import MONDAY

DUE = MONDAY + timedelta(days=1)
RUN = StepRun(step="check", no=2, started=MONDAY, due=DUE)


def _ticket(run: StepRun | None, closed: bool = False) -> Ticket:
    return Ticket(
        id="T-1",
        sop_id="sop",
        revision="r1",
        spec_hash="h",
        state="check",
        status=None,
        fields={},
        created=MONDAY,
        active=run,
        closed=DUE + timedelta(days=9) if closed else None,
    )


def test_a_running_step_is_late_from_its_due_time_before_the_sweeper_fires() -> None:
    assert not run_late(RUN, DUE - timedelta(seconds=1))
    assert run_late(RUN, DUE)


def test_a_paused_step_is_not_late_past_its_due_time_until_its_deadline_fired() -> None:
    paused = replace(RUN, paused_at=MONDAY + timedelta(hours=1))
    assert not run_late(paused, DUE + timedelta(days=3))
    assert run_late(replace(paused, breached_at=DUE), DUE + timedelta(days=3))


def test_a_step_without_time_limit_is_never_late() -> None:
    assert not run_late(replace(RUN, due=None), DUE + timedelta(days=365))


def test_a_finished_step_is_late_only_if_it_finished_late() -> None:
    later = DUE + timedelta(days=5)  # `now` no longer matters
    assert run_late(replace(RUN, finished=DUE, result="breached"), later)
    assert not run_late(replace(RUN, finished=MONDAY, result="met"), later)


def test_a_closed_ticket_or_one_without_a_running_step_is_not_overdue() -> None:
    late = DUE + timedelta(days=1)
    assert ticket_overdue(_ticket(RUN), late)
    assert not ticket_overdue(_ticket(replace(RUN, breached_at=DUE), closed=True), late)
    assert not ticket_overdue(_ticket(None), late)


def test_a_deadline_is_overdue_from_its_due_time() -> None:
    deadline = Deadline("T-1", "sla", "check", DUE)
    assert not deadline_overdue(deadline, DUE - timedelta(seconds=1))
    assert deadline_overdue(deadline, DUE)
