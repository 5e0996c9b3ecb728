"""Sign-offs inside a row, in the core: given in order, each by its own performer, each with
its own time limit; the step moves on only after the last (or by the current one's reject)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from engine.core import CompiledRevision, allowed_events, compile_revision, due, pending_deadlines
from engine.errors import ActorNotAllowed, EventNotAllowed
from engine.spec.load import load_revision
from tests.support.seed import ROOT, Driver

WITA = timezone(timedelta(hours=8))
MONDAY = datetime(2025, 3, 3, 8, 0, tzinfo=WITA)
PERMIT = ROOT / "tests/sops/sop/practice-permit/v1.yaml"


@pytest.fixture(scope="module")
def permit() -> CompiledRevision:
    return compile_revision(load_revision(PERMIT))


@pytest.fixture
def at_approval(permit: CompiledRevision) -> Driver:
    d = Driver(permit, {"applicant_name": "Ni Luh"}, at=MONDAY)
    d.post("drafted", "officer", after=timedelta(0))
    return d


def test_entering_the_step_starts_its_first_sign_off(at_approval: Driver) -> None:
    run = at_approval.ticket.active
    assert run is not None and run.step == "approve"
    assert [s.signoff for s in run.signoffs] == ["kasi"]
    assert run.signoffs[0].due == MONDAY + timedelta(hours=4)
    assert allowed_events(at_approval.rev, at_approval.ticket) == ["kasi_initialled"]


def test_a_later_sign_off_before_an_earlier_one_is_refused(at_approval: Driver) -> None:
    with pytest.raises(EventNotAllowed) as refused:
        at_approval.post("kabid_initialled", "kabid")
    assert "must wait" in refused.value.message
    assert "'kasi' (Paraf Kepala Seksi Perizinan)" in refused.value.message
    assert "send 'kasi_initialled'" in refused.value.message


def test_the_step_does_not_move_before_its_last_sign_off(at_approval: Driver) -> None:
    at_approval.post("kasi_initialled", "kasi")
    at_approval.post("kabid_initialled", "kabid")
    with pytest.raises(EventNotAllowed) as refused:
        at_approval.post("signed_off", "officer")
    assert "waits for sign-off 'kepala'" in refused.value.message
    at_approval.post("kepala_signed", "kepala")
    out = at_approval.post("signed_off", "officer")
    assert out.ticket.state == "hand_over"
    finished = out.ticket.history[-1]
    assert [(s.signoff, s.result, s.by_event) for s in finished.signoffs] == [
        ("kasi", "met", "kasi_initialled"),
        ("kabid", "met", "kabid_initialled"),
        ("kepala", "met", "kepala_signed"),
    ]


def test_only_the_sign_offs_performer_may_give_it(at_approval: Driver) -> None:
    with pytest.raises(ActorNotAllowed) as refused:
        at_approval.post("kasi_initialled", "kepala")
    assert refused.value.details["allowed"] == ["kasi"]


def test_a_sign_off_is_logged_in_its_step_and_starts_the_next(at_approval: Driver) -> None:
    out = at_approval.post("kasi_initialled", "kasi", after=timedelta(hours=1))
    (entry,) = out.log
    assert (entry.event, entry.from_state, entry.to_state) == (
        "kasi_initialled",
        "approve",
        "approve",
    )
    assert entry.finished_step is None and entry.entered_step is None
    run = out.ticket.active
    assert run is not None
    assert [s.signoff for s in run.signoffs] == ["kasi", "kabid"]
    assert run.signoffs[1].started == MONDAY + timedelta(hours=1)


def test_each_sign_off_limit_fires_as_its_own_deadline(at_approval: Driver) -> None:
    names = [d.name for d in pending_deadlines(at_approval.ticket)]
    assert names == ["approve.kasi", "approve"]
    (event,) = due(at_approval.rev, at_approval.ticket, MONDAY + timedelta(hours=4))
    assert event.data == {"step": "approve", "signoff": "kasi"}
    at_approval.advance(timedelta(hours=5))
    run = at_approval.ticket.active
    assert run is not None and run.signoffs[0].breached_at == MONDAY + timedelta(hours=4)
    assert run.breached_at is None  # the step's own limit (3 working days) still runs
    at_approval.post("kasi_initialled", "kasi", after=timedelta(0))
    run = at_approval.ticket.active
    assert run is not None and run.signoffs[0].result == "breached"
    # The Kabid's limit (1 working day) counts from the Kasi's paraf, Monday 13:00.
    assert run.signoffs[1].due == datetime(2025, 3, 4, 13, 0, tzinfo=WITA)
    assert [d.name for d in pending_deadlines(at_approval.ticket)][0] == "approve.kabid"


def test_the_current_sign_off_may_reject_back_to_an_earlier_step(at_approval: Driver) -> None:
    at_approval.post("kasi_initialled", "kasi")
    out = at_approval.post("sent_back", "kabid", {"return_reason": "Lampiran kurang."})
    assert out.ticket.state == "verify"
    left = out.ticket.history[-1].signoffs
    assert [(s.signoff, s.by_event) for s in left] == [
        ("kasi", "kasi_initialled"),
        ("kabid", "sent_back"),
    ]
    at_approval.post("drafted", "officer")
    run = at_approval.ticket.active
    assert run is not None and [s.signoff for s in run.signoffs] == ["kasi"]


def test_a_reject_is_refused_while_another_sign_off_waits(at_approval: Driver) -> None:
    with pytest.raises(EventNotAllowed) as refused:
        at_approval.post("sent_back", "kabid", {"return_reason": "x"})
    assert "waits for sign-off 'kasi'" in refused.value.message


def test_a_sign_off_of_another_step_is_refused_naming_its_step(permit: CompiledRevision) -> None:
    d = Driver(permit, {"applicant_name": "Ni Luh"}, at=MONDAY)
    with pytest.raises(EventNotAllowed) as refused:
        d.post("kasi_initialled", "kasi")
    assert "sign-off of step 2 (approve)" in refused.value.message
    assert "drafted" in refused.value.message
