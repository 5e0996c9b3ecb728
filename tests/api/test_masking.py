"""Personal data reads the same mask on every path: in the text of a notification the core
rendered, and in a ticket, its timeline and the outbox as the API shows them to an auditor;
in free text too (the values typed into a complaint, the ones the ticket had before)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from engine.core.masking import MASK
from tests.api.conftest import As, app_on
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL, ROOT, ROUTING

SEED = ROOT / "sop" / "surabaya-complaints" / "r1.yaml"
NAME, PHONE = OTHER_CHANNEL["reporter_name"], OTHER_CHANNEL["reporter_phone"]
# Two messages naming the reporter: one masked by the core (no include_personal), one filled.
TEMPLATES = """templates:
  routed_named: "Pengaduan ${ticket_id} dari ${reporter_name} disalurkan"
  routed_filled: "Hubungi ${reporter_name} di ${reporter_phone}"
  triaged_filled: "Pelapor ${reporter_name}, ${reporter_phone}"
  responded_note: "Respon terkirim"
"""
RULES = """
  - id: name-on-routing
    when: {event: routed}
    then:
      - notify: {to: agency, template: routed_named}
      - notify: {to: team_leader, template: routed_filled, include_personal: true}
  - id: name-on-triage
    when: {event: triage}
    then:
      - notify: {to: team_leader, template: triaged_filled, include_personal: true}
  - id: reads-the-response
    when: {event: responded, if: {field: response_text, is_set: true}}
    then:
      - notify: {to: team_leader, template: responded_note}
"""


@pytest.fixture
def named(tmp_path: Path) -> Iterator[Flask]:
    """The seed SOP, its rules file given two messages that name the reporter."""
    rules = (ROOT / "rules" / "surabaya-complaints-r1.yaml").read_text(encoding="utf-8")
    files = {
        "sop/surabaya-complaints/r1.yaml": SEED.read_text(encoding="utf-8"),
        "rules/surabaya-complaints-r1.yaml": rules.replace("templates:\n", TEMPLATES, 1) + RULES,
    }
    with app_on(tmp_path, files) as app:
        yield app


@pytest.fixture
def as_(named: Flask) -> As:
    return As(named.test_client())


def _routed(desk: Journey) -> str:
    tid = desk.create()["id"]
    desk.to_authority_check(tid)
    desk.post(tid, "within_authority", "staff")
    desk.post(tid, "routed", "staff")
    return tid


def _texts(reader: Journey) -> dict[str, str]:
    return {n["template"]: n["text"] for n in reader.notifications() if "routed_" in n["template"]}


def test_a_personal_value_reads_the_same_mask_in_a_notification_and_an_auditors_ticket(
    as_: As,
) -> None:
    tid = _routed(as_("root"))
    audit = as_("audit")
    seen = audit.ticket(tid)["fields"]
    created = audit.timeline(tid)[0]["data"]
    # The core masked the message when it rendered it: even the admin reads the mask there.
    told = _texts(as_("root"))["routed_named"]
    assert told == f"Pengaduan {tid} dari {MASK} disalurkan"
    assert seen["reporter_name"] == created["reporter_name"] == MASK
    assert NAME not in told and NAME not in str(seen) and NAME not in str(created)


def test_a_message_filled_with_personal_data_is_masked_for_a_reader_without_access(
    as_: As,
) -> None:
    _routed(as_("root"))
    assert _texts(as_("root"))["routed_filled"] == f"Hubungi {NAME} di {PHONE}"
    assert _texts(as_("audit"))["routed_filled"] == f"Hubungi {MASK} di {MASK}"


# The reporter's data as first given, typed into the complaint too; corrected at step 4.
FIRST = {"reporter_name": "Siti Aminah", "reporter_phone": "0857-1111-2222"}
CORRECTED = {"reporter_name": "Siti Rahma", "reporter_phone": "+62 857 3333 4444"}
COMPLAINT = "Saya Siti Aminah, wa 0857 1111 2222, NIK 3578015502900001: jalan rusak"
RESPONSE = "Bu Siti Rahma (0857-3333-4444), laporan diterima"


def _corrected(desk: Journey) -> str:
    tid = desk.create({**OTHER_CHANNEL, **FIRST, "complaint_text": COMPLAINT})["id"]
    desk.post(tid, "accept", "staff")
    desk.post(tid, "triage", "staff")  # tells the team leader the first name and phone
    desk.post(tid, "entered", "staff", {**ROUTING, **CORRECTED})
    desk.post(tid, "responded", "staff", {"response_text": RESPONSE})
    return tid


def test_free_text_in_a_ticket_hides_the_reporter_s_data_from_an_auditor_and_an_agency(
    as_: As,
) -> None:
    tid = _corrected(as_("root"))
    as_("root").post(tid, "within_authority", "staff")
    for reader in ("audit", "dsdabm"):
        ticket = as_(reader).ticket(tid)
        assert (
            ticket["fields"]["complaint_text"] == f"Saya {MASK}, wa {MASK}, NIK {MASK}: jalan rusak"
        )
        assert ticket["fields"]["response_text"] == f"Bu {MASK} ({MASK}), laporan diterima"
        assert ticket["masked"] == [
            "reporter_name",
            "reporter_phone",
            "complaint_text",
            "response_text",
        ]
    shown = as_("desk").ticket(tid)["fields"]  # an operator needs them
    assert (shown["complaint_text"], shown["response_text"]) == (COMPLAINT, RESPONSE)


def test_a_timeline_hides_the_name_a_ticket_had_before_its_correction(as_: As) -> None:
    tid = _corrected(as_("root"))
    created, *_, entered, responded = as_("audit").timeline(tid)
    assert created["data"]["complaint_text"] == f"Saya {MASK}, wa {MASK}, NIK {MASK}: jalan rusak"
    assert entered["data"]["reporter_name"] == MASK
    [firing] = responded["rules"]  # the rule read the response: what it saw is masked too
    assert firing["inputs"]["field.response_text"] == f"Bu {MASK} ({MASK}), laporan diterima"
    assert "Siti" not in firing["reason"] and "3333" not in firing["reason"]
    [firing] = as_("desk").timeline(tid)[-1]["rules"]
    assert firing["inputs"]["field.response_text"] == RESPONSE


def test_a_message_filled_with_an_earlier_name_is_masked_for_a_reader_without_access(
    as_: As,
) -> None:
    _corrected(as_("root"))
    told = {n["template"]: n["text"] for n in as_("root").notifications()}
    assert told["triaged_filled"] == "Pelapor Siti Aminah, 0857-1111-2222"  # as the rule said
    audited = {n["template"]: n["text"] for n in as_("audit").notifications()}
    assert audited["triaged_filled"] == f"Pelapor {MASK}, {MASK}"
