"""Personal data reads the same mask on every path: in the text of a notification the core
rendered, and in a ticket, its timeline and the outbox as the API shows them to an auditor."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from engine.core.masking import MASK
from tests.api.conftest import As, app_on
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL, ROOT

SEED = ROOT / "sop" / "surabaya-complaints" / "r1.yaml"
NAME, PHONE = OTHER_CHANNEL["reporter_name"], OTHER_CHANNEL["reporter_phone"]
# Two messages naming the reporter: one masked by the core (no include_personal), one filled.
TEMPLATES = """templates:
  routed_named: "Pengaduan ${ticket_id} dari ${reporter_name} disalurkan"
  routed_filled: "Hubungi ${reporter_name} di ${reporter_phone}"
"""
RULES = """
  - id: name-on-routing
    when: {event: routed}
    then:
      - notify: {to: agency, template: routed_named}
      - notify: {to: team_leader, template: routed_filled, include_personal: true}
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
