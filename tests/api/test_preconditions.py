"""An event with a precondition (`needs`): offered among the allowed events with what it needs,
refused with 422 and each missing field by its label until it is set. The status its branch
sets shows on the ticket and on the timeline entry of that event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import As, app_on
from tests.support.seed import ROOT

SOPS = ROOT / "tests" / "sops"
REQUEST = {"employee_name": "Sri Wahyuni", "leave_type": "annual", "leave_days": 3}


@pytest.fixture
def as_(tmp_path: Path) -> Iterator[As]:
    files = {
        "sop/leave-request/v1.yaml": (SOPS / "sop/leave-request/v1.yaml").read_text("utf-8"),
        "rules/leave-request-v1.yaml": (SOPS / "rules/leave-request-v1.yaml").read_text("utf-8"),
    }
    with app_on(tmp_path, files) as app:
        yield As(app.test_client())


def _needs(ticket: dict, event: str) -> list[dict]:
    return next(e["needs"] for e in ticket["allowed_events"] if e["type"] == event)


def test_a_needed_field_is_listed_refused_by_label_then_accepted(as_: As) -> None:
    desk = as_("root")
    tid = desk.call("POST", "/v1/tickets", {"sop": "leave-request", "fields": REQUEST}, expect=201)
    tid = tid.body["id"]
    ticket = desk.post(tid, "submitted", "employee")
    need = {"id": "leave_balance", "label": "Sisa Cuti Tahunan", "missing": True}
    assert _needs(ticket, "verified") == [need]
    assert _needs(ticket, "returned") == []

    body = {"type": "verified", "actor": "hr_staff"}
    refused = desk.call("POST", f"/v1/tickets/{tid}/events", body, expect=422).body
    assert refused["code"] == "missing_inputs" and "Sisa Cuti Tahunan" in refused["detail"]
    assert refused["errors"] == {"leave_balance": ["required: Sisa Cuti Tahunan"]}
    assert desk.ticket(tid)["version"] == ticket["version"]

    ticket = desk.post(tid, "balance_checked", "hr_staff", {"leave_balance": 12})
    assert _needs(ticket, "verified") == [{**need, "missing": False}]
    desk.post(tid, "verified", "hr_staff")
    ticket = desk.post(tid, "decided", "head", {"decision": "reject"})
    assert ticket["status"]["label"] == "Ditolak"
    decided = desk.timeline(tid)[-1]
    assert (decided["event"], decided["from_status"], decided["to_status"]) == (
        "decided",
        "verified",
        "rejected",
    )
