"""Masking personal data inside notification text, for readers without access to it."""

from __future__ import annotations

from api.present.tickets import Reader, notification_view
from engine.core.masking import MASK, Masker


def _masker(personal: frozenset[str], *values: str) -> Masker:
    """A ticket's masker: `personal` keys, `values` they have had."""
    return Masker.of(personal, values=values)


def test_personal_values_are_masked_inside_notification_text() -> None:
    note = {"id": "n1", "ticket_id": "T", "to": "x", "text": "Dear Budi Santoso (Budi), done"}
    masker = _masker(frozenset({"name"}), "Budi Santoso", "Budi")
    hidden = notification_view(note, Reader(sees_personal_data=False), masker)
    assert hidden["text"] == f"Dear {MASK} ({MASK}), done"  # longest values replaced first
    shown = notification_view(note, Reader(sees_personal_data=True), masker)
    assert shown["text"] == note["text"]


def test_a_reader_without_access_sees_only_set_personal_fields_masked() -> None:
    values = {"name": "Budi", "phone": None, "topic": "Jalan"}
    masker = _masker(frozenset({"name", "phone"}), "Budi")
    hidden = Reader(False)
    assert hidden.fields(values, masker) == {"name": MASK, "phone": None, "topic": "Jalan"}
    assert hidden.masked(values, masker) == ["name"]
    shown = Reader(True)
    assert shown.fields(values, masker) == values
    assert shown.masked(values, masker) == []


def test_a_personal_field_is_masked_exactly_when_the_condition_is_set_holds() -> None:
    """One meaning of "set": a value `is_set` calls empty (null, "", an empty list or mapping)
    discloses nothing and stays as it is; anything else, 0 and false included, is masked."""
    values = {"a": None, "b": "", "c": [], "d": {}, "e": 0, "f": False, "g": ["x"], "h": "Budi"}
    masker = _masker(frozenset(values))
    hidden = Reader(False)
    shown = hidden.fields(values, masker)
    assert shown == {**values, "e": MASK, "f": MASK, "g": MASK, "h": MASK}
    assert hidden.masked(values, masker) == ["e", "f", "g", "h"]
