"""GET /v1/sops/{sop}/revisions/{rev}: the revision's own records, as their schemas show them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.api.conftest import make_app
from tests.api.journey import SOP, Journey
from tests.support.seed import ROOT


def test_a_revision_shows_its_actors_fields_and_statuses_with_their_schema_keys_only(
    desk: Journey,
) -> None:
    body = desk.call("GET", f"/v1/sops/{SOP}/revisions/r1").body
    staff = next(a for a in body["actors"] if a["id"] == "staff")
    assert staff == {"id": "staff", "label": "Staff", "scope_field": None}  # no description
    name = next(f for f in body["fields"] if f["id"] == "reporter_name")
    assert name == {
        "id": "reporter_name",
        "label": "Nama Warga",
        "type": "string",
        "personal": True,
        "choices": [],
    }
    assert {"id": "received", "label": "Diterima"} in body["statuses"]
    assert body["initial_status"] == {"id": "received", "label": "Diterima"}


def _rules_file(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_a_revision_lists_its_rules_with_triggers_messages_and_timers(desk: Journey) -> None:
    body = desk.call("GET", f"/v1/sops/{SOP}/revisions/r1").body
    source = _rules_file(ROOT / "rules" / "surabaya-complaints-r1.yaml")
    assert [r["id"] for r in body["rules"]] == [r["id"] for r in source["rules"]]
    rules = {r["id"]: r for r in body["rules"]}
    steps = {s["id"]: s for s in body["steps"]}
    # Step 8's reminder: its limit passing notifies the agency and starts a repeating timer.
    late = rules["first-response-late"]
    step = steps["await_agency_response"]
    assert late["trigger"] == {
        "kind": "deadline",
        "name": step["id"],
        "label": step["activity"],
        "step_numbers": [step["number"]],
    }
    notify, timer = late["actions"]
    assert (notify["kind"], notify["to"], notify["to_label"]) == (
        "notify",
        "agency",
        "Perangkat Daerah (OPD)",
    )
    assert notify["text"] == source["templates"][notify["template"]]
    assert timer["kind"] == "start_timer" and timer["timer"] == "first_response_reminder"
    assert timer["every"]["unit"] == "working_days" and timer["every"]["amount"] == 1
    assert timer["step_number"] == step["number"]
    # The escalation that follows: a timer trigger with its count filter, to the team leader.
    escalation = rules["first-response-escalation"]
    assert escalation["trigger"]["kind"] == "timer"
    assert escalation["trigger"]["step_numbers"] == [step["number"]]
    assert [(f["subject"], f["op"], f["value"]) for f in escalation["filters"]] == [
        ("count", "gte", 1)
    ]
    escalate = escalation["actions"][-1]
    assert (escalate["kind"], escalate["to_label"], escalate["escalation"]) == (
        "escalate",
        "Ketua Tim Kerja",
        True,
    )
    # Step 13's automatic close: events fired, with the actor they are applied as.
    fired = [(a["event"], a["actor"]) for a in rules["auto-close"]["actions"]]
    assert fired == [("confirmation_period_ended", None), ("close", "system")]


def test_another_sop_s_rules_show_their_conditions_and_statuses_by_label(
    tmp_path: Path,
) -> None:
    sops = ROOT / "tests" / "sops"
    app = make_app(tmp_path, SOP_ROOT=str(sops / "sop"), SOP_RULES_DIR=str(sops / "rules"))
    try:
        reply = app.test_client().get(
            "/v1/sops/building-permit/revisions/v1", headers={"Authorization": "Bearer root-secret"}
        )
    finally:
        app.extensions["sop"].close()
    rules = {r["id"]: r for r in reply.get_json()["rules"]}
    large = rules["large-building-to-head"]
    assert large["condition"]["text"] == "Luas Lantai (m2) > 500"
    assert large["condition"]["expression"] == ["field.floor_area", "gt", 500]
    assert large["trigger"]["kind"] == "entered"
    status = rules["ask-for-documents"]["actions"][0]
    assert status == {
        "kind": "set_status",
        "status": {"id": "waiting_applicant", "label": "Menunggu Pemohon"},
    }
