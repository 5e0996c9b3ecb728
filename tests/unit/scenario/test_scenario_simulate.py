"""`sop simulate` prints one ticket's timeline for a list of timed events."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from tests.unit.scenario.paths import FIXTURES, ROOT

EVENTS = str(FIXTURES / "simulate_events.yaml")
ARGS = ["simulate", "surabaya-complaints@r1", "--events", EVENTS, "--root", str(ROOT / "sop")]


def test_simulate_prints_each_decision_with_time_step_state_status_and_sla() -> None:
    result = CliRunner().invoke(main, ARGS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "surabaya-complaints@r1  ticket T-1"
    assert lines[1].split() == ["time", "step", "event", "actor", "state", "status", "sla"]
    entered = next(line for line in lines if " entered " in line)
    assert entered.startswith("2025-01-06T10:00+07:00  3 ")
    assert "enter_into_app -> respond_to_reporter" in entered and "step 3 met" in entered
    responded = next(line for line in lines if " responded " in line)
    # step 4's 1x24 jam from Monday 10:00 was due Tuesday 10:00; it was done Wednesday 11:00
    assert "Sedang Ditindaklanjuti" in responded and "step 4 breached" in responded


def test_simulate_shows_refused_events_rules_and_notifications() -> None:
    out = CliRunner().invoke(main, ARGS).output
    assert "REFUSED" in out
    assert "event_not_allowed: event 'validated' is not allowed at step 4" in out
    assert "notify agency [DSDABM]: routed_to_agency" in out
    assert "notify agency [DSDABM]: remind_first_response" in out
    assert out.splitlines()[-2] == "now: await_agency_response (8), status Sedang Ditindaklanjuti"
    assert (
        out.splitlines()[-1] == "pending: timer first_response_reminder due 2025-01-10T11:00+07:00"
    )


def test_simulate_json_timeline() -> None:
    result = CliRunner().invoke(main, [*ARGS, "--format", "json"])
    doc = json.loads(result.output)
    assert (
        doc["state"] == "await_agency_response" and doc["status_label"] == "Sedang Ditindaklanjuti"
    )
    events = [row["event"] for row in doc["timeline"]]
    assert events[:4] == ["created", "accept", "triage", "entered"]
    refused = next(row for row in doc["timeline"] if row["refused"])
    assert refused["event"] == "validated" and refused["from_state"] == refused["to_state"]
    deadlines = [row for row in doc["timeline"] if row["event"] == "deadline"]
    assert [(row["at"], row["from_state"]) for row in deadlines] == [
        ("2025-01-07T10:00:00+07:00", "respond_to_reporter"),
        ("2025-01-09T11:00:00+07:00", "await_agency_response"),
    ]
    deadline = deadlines[1]
    assert [n["template"] for n in deadline["notifications"]] == ["remind_first_response"]
    # as the API's timeline: the SOP actor who performed it, null for the engine's own entries
    assert [row["actor"] for row in deadlines] == [None, None]
    assert doc["timeline"][1]["actor"] == "staff"
    assert doc["deadlines"] == [
        {
            "kind": "timer",
            "name": "first_response_reminder",
            "signoff": None,
            "due": "2025-01-10T11:00:00+07:00",
        }
    ]


def test_simulate_reports_a_bad_events_file_with_its_place(tmp_path) -> None:
    bad = tmp_path / "events.yaml"
    bad.write_text("given: {at: 2025-01-06T09:00:00+07:00}\nsteps:\n  - advance: soon\n")
    args = ["simulate", "surabaya-complaints", "--events", str(bad), "--root", str(ROOT / "sop")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "events.yaml:3:14: bad_duration: steps[0].advance" in result.output


def test_simulate_shows_each_status_change_on_the_row_that_caused_it() -> None:
    events = str(FIXTURES / "leave_status_events.yaml")
    root = str(ROOT / "tests" / "sops" / "sop")
    args = ["simulate", "leave-request@v1", "--events", events, "--root", root]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = [(r["event"], r["status_label"]) for r in json.loads(result.output)["timeline"]]
    assert rows == [
        ("created", "Diajukan"),
        ("submitted", "Dalam Pemeriksaan"),  # the row's own status, moving forward
        ("balance_checked", "Sisa Cuti Habis"),  # a rule's, on the event that triggered it
        ("returned", "Dikembalikan"),  # the event's, on a return to row 1
        ("submitted", "Dalam Pemeriksaan"),
        ("balance_checked", "Dalam Pemeriksaan"),  # the rule does not match: unchanged
        ("verified", "Terverifikasi"),
        ("decided", "Ditolak"),  # the branch taken's
    ]
    text = CliRunner().invoke(main, args).output
    checked = next(line for line in text.splitlines() if " balance_checked " in line)
    assert "Sisa Cuti Habis" in checked


def test_simulate_names_the_sign_off_each_entry_gave_or_missed() -> None:
    events = str(FIXTURES / "simulate_signoffs.yaml")
    root = str(ROOT / "tests" / "sops" / "sop")
    args = ["simulate", "practice-permit@v1", "--events", events, "--root", root]
    out = CliRunner().invoke(main, args).output
    lines = out.splitlines()
    deadline = next(line for line in lines if line.split()[2:3] == ["deadline"])
    assert deadline.startswith("2025-03-03T12:00+08:00  2 ")
    assert "[sign-off 1/3 kasi: Paraf Kepala Seksi Perizinan]" in deadline
    kasi = next(line for line in lines if " kasi_initialled " in line)
    assert "[sign-off 1/3 kasi: Paraf Kepala Seksi Perizinan]" in kasi
    assert "approve -> approve" in kasi
    assert "must wait: 'kasi' (Paraf Kepala Seksi Perizinan)" in out
    doc = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    given = [row["signoff"] for row in doc["timeline"] if not row["refused"]]
    assert given[-1] == "sign-off 2/3 kabid: Paraf Kepala Bidang Pelayanan"


def test_simulate_names_a_pending_sign_off_deadline_as_a_sign_off(tmp_path: Path) -> None:
    """The Kabid's paraf is what the ticket waits for: its time limit is named as that
    sign-off, by its words, not as a step `approve.kabid`; so is a failed expectation's."""
    events = tmp_path / "events.yaml"
    events.write_text(
        "given: {at: 2025-03-03T08:00:00+08:00, fields: {applicant_name: Ni Luh}}\n"
        "steps:\n"
        "  - event: {type: drafted, actor: officer}\n"
        "  - at: 2025-03-03T09:00:00+08:00\n"
        "    event: {type: kasi_initialled, actor: kasi}\n"
        "  - expect: {no_deadlines: true}\n",
        encoding="utf-8",
    )
    root = str(ROOT / "tests" / "sops" / "sop")
    args = ["simulate", "practice-permit@v1", "--events", str(events), "--root", root]
    result = CliRunner().invoke(main, args)
    kabid = (
        "sign-off 2/3 kabid (Paraf Kepala Bidang Pelayanan) of step approve (2) "
        "due 2025-03-04T09:00+08:00"
    )
    pending = [line for line in result.output.splitlines() if line.startswith("pending: ")]
    assert pending == [f"pending: {kabid}", "pending: step approve due 2025-03-06T08:00+08:00"]
    assert f"actual:   {kabid}; step approve due" in result.output
    doc = json.loads(CliRunner().invoke(main, [*args, "--format", "json"]).output)
    assert [(d["name"], d["signoff"]) for d in doc["deadlines"]] == [
        ("approve.kabid", "sign-off 2/3 kabid (Paraf Kepala Bidang Pelayanan) of step approve (2)"),
        ("approve", None),
    ]
