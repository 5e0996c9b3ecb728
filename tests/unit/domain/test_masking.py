"""Personal data in free text: a ticket's personal values (now and before), phone numbers,
e-mail addresses and NIKs are masked where people typed them; dates, amounts and ids are not."""

from __future__ import annotations

import pytest

from engine.core import CompiledRevision
from engine.core.masking import MASK, Masker, ticket_masker
from engine.spec.model import Spec
from tests.support.seed import OTHER_CHANNEL, ROUTING, Driver

NAME, PHONE = OTHER_CHANNEL["reporter_name"], OTHER_CHANNEL["reporter_phone"]  # +6281234567890
ANY_TICKET = Masker(frozenset(), frozenset())  # the patterns alone


@pytest.fixture
def budi(seed: Spec) -> Masker:
    return ticket_masker(seed, [{"reporter_name": NAME, "reporter_phone": PHONE}])


@pytest.mark.parametrize(
    "typed",
    [
        "budi santoso",
        "BUDI   Santoso",
        "Budi\nSantoso",
    ],
)
def test_a_personal_name_is_masked_in_any_letter_case_and_spacing(budi: Masker, typed: str) -> None:
    assert budi.text(f"Pelapor {typed} mengeluh") == f"Pelapor {MASK} mengeluh"


@pytest.mark.parametrize(
    "typed",
    ["+6281234567890", "+62 812-3456-7890", "62 812 3456 7890", "081234567890", "0812.3456.7890"],
)
def test_a_personal_phone_is_masked_with_any_prefix_and_separators(
    budi: Masker, typed: str
) -> None:
    assert budi.text(f"hubungi {typed} sore") == f"hubungi {MASK} sore"


def test_every_value_the_ticket_has_had_is_masked_not_only_the_current_one(
    seed_rev: CompiledRevision,
) -> None:
    """The name given at opening, corrected at step 4: the complaint still names the first."""
    first = {"reporter_name": "Siti Aminah", "reporter_phone": "0857-1111-2222"}
    complaint = "Siti Aminah (0857 1111 2222) lapor jalan rusak"
    driver = Driver(seed_rev, {**OTHER_CHANNEL, **first, "complaint_text": complaint})
    driver.post("accept", "staff")
    driver.post("triage", "staff")
    corrected = {"reporter_name": "Siti Rahma", "reporter_phone": "0857-3333-4444"}
    driver.post("entered", "staff", {**ROUTING, **corrected})
    spec, fields = seed_rev.spec, driver.ticket.fields
    logged = [e.data for o in driver.outcomes for e in o.log]
    assert "Siti Aminah" in ticket_masker(spec, [fields]).text(complaint, patterns=False)
    every = ticket_masker(spec, [fields, *logged])
    assert every.text(complaint, patterns=False) == f"{MASK} ({MASK}) lapor jalan rusak"


def test_a_short_value_is_masked_by_its_key_only_never_letter_by_letter(seed: Spec) -> None:
    masker = ticket_masker(seed, [{"reporter_name": "Al", "reporter_phone": "12345"}])
    values = {"reporter_name": "Al", "complaint_text": "Jalan al-Ikhlas no 12345 rusak, kata Al"}
    shown = masker.fields(values)
    assert shown == {"reporter_name": MASK, "complaint_text": values["complaint_text"]}


def test_a_name_is_masked_as_a_whole_word_only(seed: Spec) -> None:
    masker = ticket_masker(seed, [{"reporter_name": "Ani"}])
    assert (
        masker.text("Ani dan Anita, juga ANI; Daniel") == f"{MASK} dan Anita, juga {MASK}; Daniel"
    )


def test_a_full_name_is_masked_whole_before_a_name_inside_it(seed: Spec) -> None:
    masker = ticket_masker(seed, [{"reporter_name": "Budi"}, {"reporter_name": NAME}])
    assert masker.text(f"{NAME} dan Budi") == f"{MASK} dan {MASK}"


@pytest.mark.parametrize(
    "typed",
    [
        "0812-3456-7890",
        "+62 857 1234 5678",
        "6285712345678",
        "(0812) 3456 7890",
        "0811234567",  # 10 digits: the shortest mobile
        "(031) 5312144",
        "031-5312144",
        "+62 31 5312144",
        "021 1234 5678",
        "0361-234567",
        "warga.kota@mail.co.id",
        "Budi_S+lapor@example.org",
        "3578015502900001",  # a woman born 15 February 1990 in Surabaya
        "3578 0115 0290 0001",
        "35.78.01.150290.0001",
    ],
)
def test_phones_emails_and_niks_are_masked_on_any_ticket(typed: str) -> None:
    assert ANY_TICKET.text(f"data: {typed}, mohon dibantu") == f"data: {MASK}, mohon dibantu"


@pytest.mark.parametrize(
    "kept",
    [
        "2024-01-15",
        "2024-01-15T08:30:00+07:00",
        "15-01-2024",
        "pukul 08.30",
        "Rp 1.250.000",
        "Rp 628.123.456.789",  # 62 then 8: an amount, written with dots
        "01M9134DGDBRSCB1",  # a ticket id
        "SK 188.45/34/436.1.2/2017",
        "NIP 197405091994121001",  # 18 digits: not a NIK
        "1234567890123456",  # 16 digits, no month 90: not a NIK
        "3578011502900000",  # serial 0000: not a NIK
        "3578001502900001",  # district 00: not a NIK
        "08123456",  # too short for a mobile
        "budi@localhost",
        "RT 03 RW 05 no 12",
    ],
)
def test_dates_amounts_ids_and_short_numbers_are_left_as_they_are(kept: str) -> None:
    assert ANY_TICKET.text(f"catatan {kept} selesai") == f"catatan {kept} selesai"


def test_only_free_text_fields_are_searched_and_personal_ones_are_masked_whole(
    budi: Masker,
) -> None:
    values = {
        "reporter_name": NAME,
        "complaint_text": f"Saya {NAME}, hp 0812 3456 7890",
        "channel": "instagram",
        "attachment": "https://example.org/081234567890.jpg",  # a url, not free text
        "agency": "DSDABM",
    }
    shown = budi.fields(values)
    assert shown == {
        **values,
        "reporter_name": MASK,
        "complaint_text": f"Saya {MASK}, hp {MASK}",
    }
    assert budi.masked(values) == ["reporter_name", "complaint_text"]
