"""Public statuses set by a step, an event, a branch or a rule: each change is on the log entry
that caused it, with its from/to status, so the timeline and the audit trail show it on the
right row. Preconditions (`needs`) refuse an event before anything changes."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from engine.core import CompiledRevision, allowed_events, apply, compile_revision
from engine.core.model import Event, LogEntry
from engine.errors import MissingInputs
from engine.spec.load import load_revision
from tests.support.seed import ROOT, WIB, Driver

LEAVE = ROOT / "tests" / "sops" / "sop" / "leave-request" / "v1.yaml"
PERMIT = ROOT / "tests" / "sops" / "sop" / "building-permit" / "v1.yaml"
RULES = ROOT / "tests" / "sops" / "rules"
MONDAY = datetime(2025, 3, 10, 8, 0, tzinfo=WIB)
REQUEST = {"employee_name": "Sri Wahyuni", "leave_type": "annual", "leave_days": 3}


@pytest.fixture(scope="module")
def leave() -> CompiledRevision:
    return compile_revision(load_revision(LEAVE))


def _entries(driver: Driver) -> list[LogEntry]:
    return [entry for out in driver.outcomes for entry in out.log]


def _entry(driver: Driver, event: str) -> LogEntry:
    return next(e for e in reversed(_entries(driver)) if e.event == event)


def _statuses(entry: LogEntry) -> tuple[str | None, str | None]:
    return entry.from_status, entry.to_status


def _verified(rev: CompiledRevision, balance: int = 12) -> Driver:
    driver = Driver(rev, dict(REQUEST), MONDAY)
    driver.post("submitted", "employee")
    driver.post("balance_checked", "hr_staff", {"leave_balance": balance})
    if balance > 0:
        driver.post("verified", "hr_staff")
    return driver


def test_a_step_completing_forward_sets_its_own_status_on_that_entry(leave):
    driver = _verified(leave)
    assert _statuses(_entry(driver, "created")) == (None, "submitted")
    assert _statuses(_entry(driver, "submitted")) == ("submitted", "in_review")
    assert _statuses(_entry(driver, "verified")) == ("in_review", "verified")


def test_an_event_sets_its_status_moving_or_pausing(leave):
    driver = Driver(leave, dict(REQUEST), MONDAY)
    driver.post("submitted", "employee")
    driver.post("returned", "hr_staff", {"return_reason": "Lama cuti tidak sesuai."})
    assert _statuses(_entry(driver, "returned")) == ("in_review", "returned")
    held = _verified(leave)
    held.post("held", "head", {"hold_reason": "Menunggu rapat."})
    held.post("released", "head", after=timedelta(days=1))
    assert _statuses(_entry(held, "held")) == ("verified", "on_hold")
    assert _statuses(_entry(held, "released")) == ("on_hold", "verified")


@pytest.mark.parametrize(("decision", "status"), [("approve", "approved"), ("reject", "rejected")])
def test_the_branch_taken_sets_the_outcome_status(leave, decision, status):
    driver = _verified(leave)
    driver.post("decided", "head", {"decision": decision})
    assert _statuses(_entry(driver, "decided")) == ("verified", status)
    driver.post("informed", "hr_staff")  # a step with no status of its own keeps the outcome
    assert driver.ticket.status == status and not driver.ticket.is_open


def test_a_rule_status_is_on_the_entry_of_the_event_that_triggered_it(leave):
    driver = _verified(leave, balance=0)
    entry = _entry(driver, "balance_checked")
    assert _statuses(entry) == ("in_review", "no_balance")
    assert [(f.rule, f.actions) for f in entry.rules] == [("no-balance-left", ("set_status",))]
    assert driver.ticket.status == "no_balance"


def test_a_rule_status_on_an_existing_sop_is_no_longer_one_row_late():
    permit = compile_revision(load_revision(PERMIT))
    fields = {
        "applicant_name": "Made",
        "applicant_email": "made@example.org",
        "contact_channel": "email",
        "site_address": "Jl. Melati 7",
        "permit_class": "house",
        "floor_area": 120,
        "drawings": "https://permits.example/d.pdf",
    }
    driver = Driver(permit, fields, datetime(2025, 2, 17, 8, 0, tzinfo=WIB))
    driver.post("registered", "front_desk")
    driver.post("documents_returned", "front_desk", {"return_reason": "Bukti tanah"})
    driver.post("documents_resubmitted", "applicant")
    assert _statuses(_entry(driver, "documents_returned")) == ("submitted", "waiting_applicant")
    assert _statuses(_entry(driver, "documents_resubmitted")) == ("waiting_applicant", "submitted")


def test_every_entry_starts_from_the_status_the_one_before_left(leave):
    driver = _verified(leave, balance=0)  # a rule's status
    driver.post("returned", "hr_staff", {"return_reason": "Periksa lagi."})  # an event's
    driver.post("submitted", "employee")  # a step's own
    driver.post("balance_checked", "hr_staff", {"leave_balance": 4})
    driver.post("verified", "hr_staff")
    driver.post("held", "head", {"hold_reason": "Rapat."})
    driver.post("released", "head")
    driver.post("decided", "head", {"decision": "approve"})  # a branch's
    driver.post("informed", "hr_staff")
    entries = _entries(driver)
    assert len({e.to_status for e in entries}) == 7
    assert all(a.to_status == b.from_status for a, b in zip(entries, entries[1:], strict=False))
    assert entries[-1].to_status == driver.ticket.status == "approved"


def test_a_return_without_a_status_keeps_the_status_not_the_rows_own(tmp_path: Path):
    text = LEAVE.read_text(encoding="utf-8")
    edited = text.replace("[return_reason], status: returned}", "[return_reason]}")
    assert edited != text
    copy = tmp_path / "leave-request" / "v1.yaml"
    copy.parent.mkdir()
    copy.write_text(edited, encoding="utf-8")
    rev = compile_revision(load_revision(copy, rules_dir=RULES))
    driver = Driver(rev, dict(REQUEST), MONDAY)
    driver.post("submitted", "employee")
    driver.post("returned", "hr_staff", {"return_reason": "Lama cuti tidak sesuai."})
    # The verification row has its own status ("Terverifikasi"): it was sent back, not done.
    assert _statuses(_entry(driver, "returned")) == ("in_review", "in_review")


def test_a_precondition_names_the_missing_field_by_label_and_changes_nothing(leave):
    driver = Driver(leave, dict(REQUEST), MONDAY)
    driver.post("submitted", "employee")
    before = driver.ticket
    assert "verified" in allowed_events(leave, before)
    with pytest.raises(MissingInputs) as err:
        apply(leave, before, Event("verified", "hr_staff"), MONDAY + timedelta(hours=2))
    assert err.value.details["missing"] == {"leave_balance": "Sisa Cuti Tahunan"}
    assert "set first: Sisa Cuti Tahunan" in err.value.message
    assert driver.ticket == before and driver.ticket.state == "verify"
    driver.post("balance_checked", "hr_staff", {"leave_balance": 5})
    out = driver.post("verified", "hr_staff")
    assert out.ticket.state == "decide"
