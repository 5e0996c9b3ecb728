"""Masking personal data inside notification text, for readers without access to it."""

from __future__ import annotations

from api.present.tickets import MASK, Reader, mask_values, notification_view


def test_personal_values_are_masked_inside_notification_text() -> None:
    note = {"id": "n1", "ticket_id": "T", "to": "x", "text": "Dear Budi Santoso (+62812), done"}
    secret = ["Budi Santoso", "+62812", "Budi"]
    hidden = notification_view(note, Reader(sees_personal_data=False), secret)
    assert hidden["text"] == f"Dear {MASK} ({MASK}), done"  # longest values replaced first
    shown = notification_view(note, Reader(sees_personal_data=True), secret)
    assert shown["text"] == note["text"]


def test_mask_values_hides_only_set_personal_fields() -> None:
    values = {"name": "Budi", "phone": None, "topic": "Jalan"}
    masked, which = mask_values(values, frozenset({"name", "phone"}), Reader(False))
    assert masked == {"name": MASK, "phone": None, "topic": "Jalan"} and which == ["name"]
    same, none = mask_values(values, frozenset({"name"}), Reader(True))
    assert same == values and none == []
