"""What the outbox stores and a webhook receives: personal data typed into free text is masked,
the values a ticket had before (a corrected name) too, unless the rule includes personal data."""

from __future__ import annotations

import json

from engine.app.notifier import Answer, Channel, Notifier, Routing
from engine.app.service import TicketService
from engine.core.masking import MASK
from tests.support.seed import ROUTING

SOP = "surabaya-complaints"
FIRST = {"reporter_name": "Siti Aminah", "reporter_phone": "0857-1111-2222"}
CORRECTED = {"reporter_name": "Siti Rahma", "reporter_phone": "+62 857 3333 4444"}
COMPLAINT = "Saya Siti Aminah (wa 62 857 1111 2222, siti@mail.id): jalan depan rumah berlubang"


def _routed(service: TicketService, new) -> str:
    """A complaint naming its reporter, the name and phone corrected at step 4, then routed:
    the agency is told the complaint's text."""
    tid = new(**FIRST, complaint_text=COMPLAINT).id
    for event, data in [
        ("accept", {}),
        ("triage", {}),
        ("entered", {**ROUTING, **CORRECTED}),
        ("responded", {"response_text": "Terima kasih, Bu Siti Rahma, kami proses"}),
        ("within_authority", {}),
        ("routed", {}),
    ]:
        service.post_event(tid, event, "staff", data, user="operator-1")
    return tid


def _texts(service: TicketService, tid: str) -> dict[str, str]:
    return {n["template"]: n["text"] for n in service.notifications(ticket_id=tid).items}


def test_the_agency_is_told_the_complaint_without_the_reporter_s_old_or_new_data(service, new):
    tid = _routed(service, new)
    told = _texts(service, tid)["routed_to_agency"]
    quoted = f"Saya {MASK} (wa {MASK}, {MASK}): jalan depan rumah berlubang"
    assert told == f"Pengaduan {tid} disalurkan kepada DSDABM: {quoted}"


def test_a_webhook_receives_the_masked_text(service, new, store):
    tid = _routed(service, new)
    bodies: list[dict] = []

    def transport(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Answer:
        bodies.append(json.loads(body))
        return Answer(200)

    hook = Channel("agency-hook", "webhook", url="https://agency.example/hook", keys=(b"k",))
    routing = Routing({"log": Channel("log", "log"), hook.name: hook}, default=(hook.name,))
    Notifier(store, routing, transport=transport).run_once()
    [got] = [b for b in bodies if b["ticket_id"] == tid and b["template"] == "routed_to_agency"]
    assert "Siti Aminah" not in got["text"] and "857" not in got["text"]
    assert got["text"].endswith("jalan depan rumah berlubang")


def test_the_reporter_s_notification_masks_data_the_agency_typed(service, new):
    """Without `include_personal` the reporter's own message is masked too: it may be answered
    on a public channel (a social media reply)."""
    tid = _routed(service, new)
    service.post_event(tid, "agency_responded", "agency", {}, user="dsdabm")
    follow_up = {
        "follow_up_text": "Sudah ditambal, Bu Siti Aminah bisa cek; info 0857.3333.4444",
        "follow_up_photo": "https://example.org/f.jpg",
    }
    service.post_event(tid, "follow_up_submitted", "agency", follow_up, user="dsdabm")
    service.post_event(tid, "substance_ok", "staff", {}, user="operator-1")
    service.post_event(tid, "validated", "staff", {}, user="operator-1")
    told = _texts(service, tid)["follow_up_result"]
    assert f"Sudah ditambal, Bu {MASK} bisa cek; info {MASK}" in told
