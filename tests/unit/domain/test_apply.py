"""The seed SOP's behaviour through the pure core: what operators and auditors would notice."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from engine.core import allowed_events, apply, due, new_ticket, pending_deadlines
from engine.core.model import Event
from engine.errors import (
    ActorNotAllowed,
    EventNotAllowed,
    InvalidData,
    MissingInputs,
    UnknownEvent,
)
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROUTING, WIB, Driver


def test_new_ticket_starts_at_step_1_received_with_one_working_day(seed, seed_rev):
    out = new_ticket(seed_rev, "T-1", dict(OTHER_CHANNEL), MONDAY)
    t = out.ticket
    assert (t.state, t.active.no, seed.status(t.status).label) == ("receive_inquiry", 1, "Diterima")
    assert t.active.due == MONDAY + timedelta(days=1)
    assert [e.event for e in out.log] == ["created"]
    assert out.log[0].spec_hash == seed.content_hash and out.log[0].revision == "r1"
    assert allowed_events(seed_rev, t) == ["accept"]


def test_unknown_field_and_wrong_choice_are_refused_at_creation(seed_rev):
    with pytest.raises(InvalidData) as err:
        new_ticket(seed_rev, "T-1", {**OTHER_CHANNEL, "colour": "red", "channel": "pigeon"}, MONDAY)
    assert set(err.value.details["errors"]) == {"colour", "channel"}
    assert "wargaku" in err.value.details["errors"]["channel"]


def test_naive_time_is_refused(seed_rev):
    with pytest.raises(InvalidData, match="time zone"):
        new_ticket(seed_rev, "T-1", dict(OTHER_CHANNEL), datetime(2025, 1, 6, 9))


def test_event_not_allowed_names_state_and_allowed_events_and_changes_nothing(driver):
    before = driver.ticket
    with pytest.raises(EventNotAllowed) as err:
        apply(driver.rev, before, Event("validated", "staff"), MONDAY)
    assert "step 1" in str(err.value) and err.value.details["allowed"] == ["accept"]
    assert driver.ticket is before and before.version == 1


def test_unknown_event_and_wrong_actor(driver):
    with pytest.raises(UnknownEvent):
        apply(driver.rev, driver.ticket, Event("teleport", "staff"), MONDAY)
    with pytest.raises(ActorNotAllowed) as err:
        apply(driver.rev, driver.ticket, Event("accept", "agency"), MONDAY)
    assert err.value.details["allowed"] == ["staff"]


def test_other_channel_goes_through_step_3_and_step_3_lists_every_missing_input(driver):
    driver.post("accept", "staff")
    driver.post("triage", "staff")
    assert driver.ticket.active.no == 3
    with pytest.raises(MissingInputs) as err:
        driver.post("entered", "staff", {"category": "Jalan"})
    assert set(err.value.details["missing"]) == {"topic", "agency"}
    assert "OPD" in str(err.value)
    assert driver.ticket.active.no == 3  # unchanged


def test_wargaku_ticket_skips_step_3_and_needs_no_social_media(seed_rev):
    fields = {k: v for k, v in OTHER_CHANNEL.items() if k != "social_media"}
    d = Driver(seed_rev, {**fields, "channel": "wargaku"})
    d.post("accept", "staff")
    d.post("triage", "staff")
    assert d.ticket.active.no == 4
    d.post("responded", "staff", {"response_text": "Diterima", **ROUTING})
    d.post("within_authority", "staff")
    d.post("routed", "staff")  # step 7 asks Media Sosial only of other channels
    assert d.ticket.active.no == 8


def test_status_labels_follow_the_sop(driver):
    driver.to_routing()
    labels = [driver.spec.status(o.ticket.status).label for o in driver.outcomes]
    assert labels[:4] == ["Diterima"] * 4
    assert labels[4:] == ["Sedang Ditindaklanjuti"] * 3
    assert [o.log[-1].finished_step for o in driver.outcomes[1:]] == [1, 2, 3, 4, 5, 7]


def test_outside_authority_goes_to_national_system_then_closing(driver):
    driver.post("accept", "staff")
    driver.post("triage", "staff")
    driver.post("entered", "staff", ROUTING)
    driver.post("responded", "staff", {"response_text": "ok"})
    driver.post("outside_authority", "staff")
    assert driver.ticket.active.no == 6
    with pytest.raises(MissingInputs):
        driver.post("entered_national", "staff")
    driver.post("entered_national", "staff", {"national_reference": "LAPOR-123"})
    driver.post("close", "staff")
    assert (driver.ticket.active.no, driver.spec.status(driver.ticket.status).label) == (
        15,
        "Selesai",
    )
    driver.post("replied", "staff", {"reply_text": "Diteruskan ke SP4N-LAPOR!"})
    assert driver.ticket.state == "end" and driver.ticket.closed is not None
    assert allowed_events(driver.rev, driver.ticket) == []
    reply = driver.outcomes[-1].notifications
    assert [(n.to, n.channel, n.text) for n in reply] == [
        ("reporter", "instagram", "Diteruskan ke SP4N-LAPOR!")
    ]


def test_routing_notifies_the_agency_scoped_to_its_code(driver):
    driver.to_routing()
    (note,) = driver.outcomes[-1].notifications
    assert (note.to, note.scope, note.template) == ("agency", "DSDABM", "routed_to_agency")
    assert "Budi" not in note.text and "Jalan berlubang" in note.text


def test_late_first_response_reminds_daily_then_escalates(driver):
    driver.to_routing()  # routed Monday 15:00 WIB; first response due Tuesday 15:00
    due_at = driver.ticket.active.due
    assert due_at == MONDAY + timedelta(hours=6 + 24)
    outs = driver.advance(timedelta(days=3, hours=12))  # to Friday 03:00 WIB... plus
    notes = [(n.to, n.escalation) for o in outs for n in o.notifications]
    # Tue 15:00 reminder, Wed 15:00 reminder, Thu 15:00 reminder + escalation
    assert notes == [("agency", False), ("agency", False), ("agency", False), ("team_leader", True)]
    assert [o.log[0].at for o in outs] == [due_at + timedelta(days=n) for n in range(3)]
    assert [r.rule for o in outs for e in o.log for r in e.rules] == [
        "first-response-late",
        "first-response-reminder",
        "first-response-escalation",
    ]
    driver.post("agency_responded", "agency")
    assert driver.ticket.timers == ()  # leaving step 8 stops its reminders
    assert driver.ticket.history[-1].result == "breached"


def test_follow_up_deadline_counts_working_days_over_the_weekend(driver):
    driver.to_routing()
    driver.post("agency_responded", "agency")  # Monday 16:00 WIB
    assert driver.ticket.active.due == datetime(2025, 1, 9, 16, 0, tzinfo=WIB)
    driver.advance(timedelta(days=2))
    assert driver.ticket.active.breached_at is None
    outs = driver.advance(timedelta(days=1))
    assert [n.template for o in outs for n in o.notifications] == ["remind_follow_up"]


def test_pause_while_asking_the_reporter_moves_the_deadline(driver):
    driver.to_routing()
    driver.post("agency_responded", "agency")
    due_before = driver.ticket.active.due
    driver.post("info_requested", "agency", {"info_request": "Nomor rumah?"})
    assert driver.ticket.active.paused_at is not None
    assert pending_deadlines(driver.ticket) == []  # a paused clock cannot breach
    with pytest.raises(EventNotAllowed, match="already paused"):
        driver.post("info_requested", "agency", {"info_request": "lagi"})
    driver.post("info_provided", "reporter", after=timedelta(hours=5))
    assert driver.ticket.active.due == due_before + timedelta(hours=5)
    assert driver.ticket.active.paused_seconds == 5 * 3600


def test_correction_loop_returns_to_the_agency_with_a_fresh_limit(driver):
    driver.to_routing()
    driver.post("agency_responded", "agency")
    data = {"follow_up_text": "Sudah", "follow_up_photo": "https://example.org/f.jpg"}
    driver.post("follow_up_submitted", "agency", data)
    out = driver.post("substance_not_ok", "staff", {"correction_note": "Foto buram"})
    assert driver.ticket.active.no == 9
    assert driver.ticket.active.due == driver.now + timedelta(days=3)
    assert [n.text for n in out.notifications] == [
        "Mohon perbaiki tanggapan pengaduan T-1: Foto buram"
    ]


def test_confirmation_closes_and_reply_goes_out_on_the_channel(driver):
    driver.to_validated()
    assert driver.spec.status(driver.ticket.status).label == "Sudah Ditindaklanjuti"
    assert [n.to for n in driver.outcomes[-1].notifications] == ["reporter"]
    driver.post("confirmed", "reporter", {"reporter_response": "Terima kasih"})
    assert driver.ticket.active.no == 14
    driver.post("close", "staff")
    assert driver.spec.status(driver.ticket.status).label == "Selesai"


def test_no_confirmation_second_notice_after_7_days_and_auto_close_after_7_more(driver):
    driver.to_validated()
    validated_at = driver.now
    outs = driver.advance(timedelta(days=6, hours=23))
    assert outs == [] and driver.ticket.active.no == 12
    outs = driver.advance(timedelta(hours=2))
    assert driver.ticket.active.no == 13
    assert [(n.to, n.template) for o in outs for n in o.notifications] == [
        ("reporter", "second_notification")
    ]
    outs = driver.advance(timedelta(days=7))
    assert driver.ticket.active.no == 15 and driver.ticket.status == "done"
    log = [e for o in outs for e in o.log]
    assert [(e.event, e.actor, e.caused_by) for e in log] == [
        ("deadline", "", None),
        ("confirmation_period_ended", "system", "auto-close"),
        ("close", "system", "auto-close"),
    ]
    assert log[-1].at == validated_at + timedelta(days=14)


def test_every_log_entry_names_revision_and_hash_and_versions_increase(driver):
    driver.to_validated()
    entries = [e for o in driver.outcomes for e in o.log]
    assert {(e.revision, e.spec_hash) for e in entries} == {("r1", driver.spec.content_hash)}
    assert [e.version for e in entries] == list(range(1, len(entries) + 1))


def test_ticket_of_another_revision_is_refused(driver):
    other = replace(driver.ticket, spec_hash="0" * 64)
    with pytest.raises(InvalidData, match="governed by"):
        apply(driver.rev, other, Event("accept", "staff"), MONDAY)


def test_deadline_events_are_refused_before_they_are_due(driver):
    with pytest.raises(EventNotAllowed):
        apply(
            driver.rev,
            driver.ticket,
            Event("deadline", "", {"step": "receive_inquiry"}, MONDAY + timedelta(hours=1)),
            MONDAY + timedelta(hours=1),
        )
    assert due(driver.rev, driver.ticket, MONDAY + timedelta(hours=1)) == []
