"""What an event still needs before it is accepted (`missing_inputs`), and where a refusal says
the missing data can be given: with the event itself, by another event of the step, by the
events of other steps, or nowhere (the SOP must be revised). The seed after the WargaKu fix,
and `complaint-routing`, a desk cut down from the seed as it was before it (stuck: loaded past
the path check, which refuses it, as a store rebuilds a revision published before the check)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from engine.core import CompiledRevision, allowed_events, apply, compile_revision
from engine.core.checks import check_inputs, missing_inputs
from engine.core.model import Event
from engine.errors import InvalidData, MissingInputs
from engine.spec.load import load_revision
from engine.spec.model import Spec
from tests.support.seed import OTHER_CHANNEL, ROOT, ROUTING, WIB, Driver

ROUTING_SOP = ROOT / "tests/fixtures/stuck/sop/complaint-routing/v1.yaml"
LEAVE = ROOT / "tests/sops/sop/leave-request/v1.yaml"
MONDAY = datetime(2026, 1, 12, 9, 0, tzinfo=WIB)
FROM_APP = {"reporter_name": "Budi", "channel": "app", "complaint_text": "Jalan berlubang"}


@pytest.fixture(scope="module")
def routing() -> CompiledRevision:
    return compile_revision(load_revision(ROUTING_SOP, paths=False))


def _wargaku_at_routing(seed_rev: CompiledRevision) -> Driver:
    """A WargaKu complaint at step 7 whose response gave no Kategori, Topik or OPD."""
    fields = {k: v for k, v in OTHER_CHANNEL.items() if k != "social_media"}
    d = Driver(seed_rev, {**fields, "channel": "wargaku"})
    d.post("accept", "staff")
    d.post("triage", "staff")
    d.post("responded", "staff", {"response_text": "Diterima"})
    d.post("within_authority", "staff")
    assert d.ticket.active.no == 7
    return d


def _app_complaint_at_routing(rev: CompiledRevision) -> Driver:
    d = Driver(rev, dict(FROM_APP), MONDAY)
    d.post("triaged", "staff")
    d.post("responded", "staff", {"response_text": "Diterima"})
    d.post("within_authority", "staff", {"agency": "DSDABM"})
    assert d.ticket.active.no == 5
    return d


def _refusal(d: Driver, event: str, data: dict | None = None) -> MissingInputs | InvalidData:
    before = d.ticket
    with pytest.raises((MissingInputs, InvalidData)) as err:
        d.post(event, "staff", data)
    assert d.ticket is before  # nothing changed
    return err.value


def test_seed_step_7_needs_category_topic_agency_and_says_send_them_with_routed(seed_rev):
    d = _wargaku_at_routing(seed_rev)
    spec, step = seed_rev.spec, seed_rev.spec.step(d.ticket.state)
    needed = missing_inputs(spec, step, step.event("routed"), d.ticket.fields)
    assert [(m.field, m.label, m.input) for m in needed.values()] == [
        ("category", "Kategori", "Kategori"),
        ("topic", "Topik", "Topik"),
        ("agency", "OPD", "OPD"),
    ]
    err = _refusal(d, "routed")
    assert isinstance(err, MissingInputs)
    assert "Send Kategori, Topik and OPD with 'routed', which accepts them." in err.message
    assert err.details["accepted_by"] == {
        k: [{"event": "routed", "label": "routed", "step": 7}]
        for k in ("category", "topic", "agency")
    }
    d.post("routed", "staff", ROUTING)
    assert d.ticket.active.no == 8


def test_before_the_fix_the_refusal_names_the_earlier_steps_that_accept_the_inputs(routing):
    d = _app_complaint_at_routing(routing)
    err = _refusal(d, "routed")
    assert isinstance(err, MissingInputs)
    assert err.message == (
        "step 5 (route) cannot complete with 'routed': missing category: Kategori; "
        "topic: Topik. Kategori and Topik are accepted by 'entered' (Diinput di aplikasi, "
        "step 2) and 'responded' (Direspon, step 3)."
    )
    earlier = [{"event": "entered", "label": "Diinput di aplikasi", "step": 2}]
    earlier.append({"event": "responded", "label": "Direspon", "step": 3})
    assert err.details["accepted_by"] == {"category": earlier, "topic": earlier}


def test_data_the_event_does_not_accept_names_the_events_that_do(routing):
    d = _app_complaint_at_routing(routing)
    err = _refusal(d, "routed", {"category": "Jalan", "agency": "DSDABM"})
    assert isinstance(err, InvalidData)
    assert err.details["errors"] == {
        "category": "not accepted here; accepted data for event 'routed': agency; "
        "Kategori is accepted by 'entered' (Diinput di aplikasi, step 2) and "
        "'responded' (Direspon, step 3)"
    }
    assert [p["step"] for p in err.details["accepted_by"]["category"]] == [2, 3]


def test_a_field_set_first_points_to_the_event_of_the_step_that_records_it():
    leave = compile_revision(load_revision(LEAVE))
    d = Driver(leave, {"employee_name": "Sri", "leave_type": "annual", "leave_days": 3}, MONDAY)
    d.post("submitted", "employee")
    with pytest.raises(MissingInputs) as err:
        d.post("verified", "hr_staff")
    assert err.value.message.endswith(
        "Sisa Cuti Tahunan is accepted at this step by 'balance_checked' (step 2): post that first."
    )
    with pytest.raises(InvalidData) as bad:
        d.post("verified", "hr_staff", {"leave_balance": 12})
    assert bad.value.details["errors"]["leave_balance"].endswith(
        "accepted at this step by 'balance_checked' (step 2): send it with that event instead"
    )
    d.post("balance_checked", "hr_staff", {"leave_balance": 12})
    d.post("verified", "hr_staff")
    assert d.ticket.state == "decide"


def test_an_input_no_event_accepts_says_the_sop_must_be_revised(routing):
    d = _app_complaint_at_routing(routing)
    spec: Spec = routing.spec
    # A revision in which no event takes Topik: built by hand, as a check of the SOP's paths
    # may refuse to load such a file.
    steps = tuple(
        replace(
            s,
            events=tuple(
                replace(e, accepts=tuple(k for k in e.accepts if k != "topic")) for e in s.events
            ),
        )
        for s in spec.steps
    )
    holed = replace(spec, steps=steps)
    step = holed.step("route")
    fields = {**d.ticket.fields, "category": "Jalan"}
    with pytest.raises(MissingInputs) as err:
        check_inputs(holed, step, step.event("routed"), fields, {})
    assert err.value.message.endswith(
        "missing topic: Topik. No event of this SOP accepts Topik: the SOP must be revised."
    )
    assert err.value.details["accepted_by"] == {"topic": []}


def test_every_event_the_seed_offers_is_refused_exactly_for_what_missing_inputs_lists(seed_rev):
    """Down the whole other-channel path: an event posted with no data is refused with
    `missing_inputs` for exactly the fields `missing_inputs` named, or accepted when none."""
    d = Driver(seed_rev, dict(OTHER_CHANNEL))
    path = [
        ("accept", "staff", {}),
        ("triage", "staff", {}),
        ("entered", "staff", ROUTING),
        ("responded", "staff", {"response_text": "Kami proses"}),
        ("within_authority", "staff", {}),
        ("routed", "staff", {}),
        ("agency_responded", "agency", {}),
        (
            "follow_up_submitted",
            "agency",
            {"follow_up_text": "x", "follow_up_photo": "https://e.org/f"},
        ),
    ]
    seen = 0
    for name, actor, data in path:
        spec, step = seed_rev.spec, seed_rev.spec.step(d.ticket.state)
        for offered in allowed_events(seed_rev, d.ticket):
            ev = step.event(offered)
            needed = missing_inputs(spec, step, ev, d.ticket.fields)
            try:
                apply(seed_rev, d.ticket, Event(offered, ev.by[0], {}), d.now)
            except MissingInputs as err:
                assert list(err.details["missing"]) == list(needed), offered
                seen += 1
            else:
                assert needed == {}, offered
        d.post(name, actor, data)
    assert seen >= 4  # entered, responded, follow_up_submitted, info_requested at least
