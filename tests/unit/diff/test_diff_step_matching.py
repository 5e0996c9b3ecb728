"""Steps are matched by id, then by number, never by position; what changed inside a step."""

from __future__ import annotations

from dataclasses import replace

from engine.authoring.diff import diff_specs
from engine.spec.expression import Cmp
from engine.spec.model import Branch, EventDef, Input, Spec, Step

CALL_REPORTER = Step(
    no=12,
    id="call_reporter",
    activity="Menghubungi pelapor melalui telepon",
    performers=("staff",),
    inputs=(Input("Nomor Telepon Warga", ("reporter_phone",)),),
    time_limit=None,
    output="Konfirmasi pelapor",
    events=(EventDef("called", ("staff",), to="await_confirmation"),),
)


def _with_steps(spec: Spec, steps: list[Step]) -> Spec:
    return replace(spec, steps=tuple(sorted(steps, key=lambda s: s.no)))


def _edit(spec: Spec, step_id: str, **changes) -> Spec:
    return _with_steps(spec, [replace(s, **changes) if s.id == step_id else s for s in spec.steps])


def _inserted_before_12(spec: Spec) -> Spec:
    """A new step 12; the old 12..16 become 13..17 (ids unchanged)."""
    shifted = [replace(s, no=s.no + 1) if s.no >= 12 else s for s in spec.steps]
    return _with_steps(spec, [*shifted, CALL_REPORTER])


def test_an_inserted_step_renumbers_the_later_ones_and_changes_nothing_else(r1: Spec):
    result = diff_specs(r1, _inserted_before_12(r1))
    renumbered = {c.subject: (c.before, c.after) for c in result.changes if c.kind == "renumbered"}
    assert renumbered == {
        "await_confirmation": (12, 13),
        "second_notification": (13, 14),
        "close_complaint": (14, 15),
        "reply_on_channel": (15, 16),
        "monev_report": (16, 17),
    }
    assert result.keys() == {("steps", "renumbered", s, "") for s in renumbered} | {
        ("steps", "added", "call_reporter", "")
    }  # matched by id: no step is "changed" because its neighbours moved
    assert "# renumbered 12 -> 13" in result.to_text()


def test_a_renumbered_step_keeps_its_own_changes(r1: Spec):
    b = _inserted_before_12(r1)
    b = _edit(b, "second_notification", activity="Sistem mengirim notifikasi kedua")
    got = {c.key: c for c in diff_specs(r1, b).changes}
    change = got[("steps", "changed", "second_notification", "activity")]
    assert change.label == "step 14 (second_notification)"
    assert change.before.startswith("Sistem akan mengenerate")


def test_a_step_whose_id_changed_is_matched_by_its_number(r1: Spec):
    # Step 11's id changes; step 10's event still leads to it (through the new id).
    renamed = _edit(r1, "validate", id="validate_result")
    renamed = _with_steps(
        renamed,
        [
            replace(
                s,
                events=tuple(
                    replace(e, to="validate_result") if e.to == "validate" else e for e in s.events
                ),
            )
            for s in renamed.steps
        ],
    )
    result = diff_specs(r1, renamed)
    assert result.keys() == {("steps", "changed", "validate_result", "id")}
    (change,) = result.changes
    assert (change.before, change.after) == ("validate", "validate_result")


def test_steps_that_swap_places_in_the_table_are_moved(r1: Spec):
    # 14 (close) and 15 (reply) swap numbers and so places; ids stay.
    swapped = _edit(_edit(r1, "close_complaint", no=15), "reply_on_channel", no=14)
    result = diff_specs(r1, swapped)
    kinds = {(c.kind, c.subject) for c in result.changes}
    assert ("renumbered", "close_complaint") in kinds
    assert ("renumbered", "reply_on_channel") in kinds
    moved = [c for c in result.changes if c.kind == "moved"]
    assert len(moved) == 1  # the fewest steps that explain the new order
    assert result.keys() == {
        ("steps", "renumbered", "close_complaint", ""),
        ("steps", "renumbered", "reply_on_channel", ""),
        ("steps", "moved", moved[0].subject, ""),
    }


def test_a_removed_step_is_reported_with_its_number_from_the_old_revision(r1: Spec):
    fewer = _with_steps(r1, [s for s in r1.steps if s.id != "monev_report"])
    (change,) = diff_specs(r1, fewer).changes
    assert change.key == ("steps", "removed", "monev_report", "")
    assert change.label == "step 16 (monev_report)"


def test_inputs_are_matched_by_their_text(r1: Spec):
    step = r1.step("respond_to_reporter")
    inputs = (
        Input("Respon Pengaduan", ("response_text", "agency_response_text")),
        Input("Foto", ("attachment",), when=Cmp("field", "is_set", None, "attachment")),
    )
    result = diff_specs(r1, _edit(r1, step.id, inputs=inputs))
    got = {c.key: c for c in result.changes}
    assert set(got) == {
        ("steps", "changed", "respond_to_reporter", "inputs[Respon Pengaduan].fields"),
        ("steps", "added", "respond_to_reporter", "inputs[Foto]"),
    }
    added = got[("steps", "added", "respond_to_reporter", "inputs[Foto]")]
    assert added.after == {"text": "Foto", "fields": ["attachment"], "when": "attachment is set"}
    assert 'input "Foto": Foto [fields: attachment] (when attachment is set)' in result.to_text()


def test_event_targets_branches_and_actors(r1: Spec):
    step = r1.step("monitor_channels")
    triage = step.event("triage")
    assert triage is not None
    branches = (
        Branch("respond_to_reporter", Cmp("field", "in", ("wargaku", "email"), "channel")),
        Branch("enter_into_app"),
    )
    events = (replace(triage, branches=branches, by=("staff", "team_leader")),)
    result = diff_specs(r1, _edit(r1, step.id, events=events))
    got = {c.key: c for c in result.changes}
    assert set(got) == {
        ("steps", "changed", "monitor_channels", "events.triage.targets"),
        ("steps", "changed", "monitor_channels", "events.triage.by"),
    }
    targets = got[("steps", "changed", "monitor_channels", "events.triage.targets")]
    assert targets.before == [
        "respond_to_reporter if channel equals 'wargaku'",
        "enter_into_app otherwise",
    ]
    assert targets.after[0] == "respond_to_reporter if channel in ['wargaku', 'email']"


def test_events_added_and_removed_status_and_remarks(r1: Spec):
    step = r1.step("reply_on_channel")
    extra = EventDef("reply_failed", ("system",))
    b = _edit(r1, step.id, events=(*step.events, extra), status="done", remarks="Balas di kanal")
    b = _edit(b, "await_agency_response", events=())
    keys = diff_specs(r1, b).keys()
    assert keys == {
        ("steps", "added", "reply_on_channel", "events.reply_failed"),
        ("steps", "changed", "reply_on_channel", "status"),
        ("steps", "changed", "reply_on_channel", "remarks"),
        ("steps", "removed", "await_agency_response", "events.agency_responded"),
    }


def test_outcome_statuses_and_preconditions_of_events_are_changes(r1: Spec):
    step = r1.step("monitor_channels")
    triage = step.event("triage")
    assert triage is not None
    branches = (triage.branches[0], replace(triage.branches[1], status="in_progress"))
    events = (replace(triage, branches=branches, needs=("channel",), status="received"),)
    result = diff_specs(r1, _edit(r1, step.id, events=events))
    got = {c.key[-1]: c for c in result.changes}
    assert set(got) == {"events.triage.targets", "events.triage.needs", "events.triage.status"}
    assert got["events.triage.targets"].after[1] == "enter_into_app otherwise (status in_progress)"
    assert (got["events.triage.status"].before, got["events.triage.status"].after) == (
        None,
        "received",
    )
    assert got["events.triage.needs"].after == ["channel"]
