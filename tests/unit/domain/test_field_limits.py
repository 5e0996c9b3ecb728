"""What a ticket field of each type holds: at most its type's length (or the field's own
`max_length`), and a `url` field only a web address (http or https)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.core import compile_revision, new_ticket
from engine.errors import InvalidData
from engine.spec.model import FIELD_MAX_LENGTH, Spec
from tests.support.seed import MONDAY, OTHER_CHANNEL


def refusal(rev, fields) -> dict:  # noqa: ANN001
    with pytest.raises(InvalidData) as refused:
        new_ticket(rev, "T-1", {**OTHER_CHANNEL, **fields}, MONDAY)
    return refused.value.details["errors"]


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("reporter_name", "string"),
        ("complaint_text", "text"),
        ("reporter_phone", "phone"),
        ("attachment", "url"),
    ],
)
def test_a_value_longer_than_its_type_holds_is_refused_and_the_longest_accepted(
    seed_rev, field: str, kind: str
) -> None:
    longest = FIELD_MAX_LENGTH[kind]
    fits = {
        "string": "a" * longest,
        "text": "a" * longest,
        "phone": "+6" + "1" * 19,  # 21: the phone pattern holds no more
        "url": "https://example.org/" + "a" * (longest - 20),
    }[kind]
    new_ticket(seed_rev, "T-1", {**OTHER_CHANNEL, field: fits}, MONDAY)
    too_long = fits + "a" * (longest - len(fits) + 1)
    message = refusal(seed_rev, {field: too_long})[field]
    assert f"at most {longest} characters (this has {len(too_long)})" in message


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(document.cookie)",
        "file:///etc/passwd",
        "data:text/html;base64,PHNjcmlwdD4=",
        "foto.jpg",
        "http://",
        "https://exa mple.org/",
        "http://[::1",
        "https://example.org:99999/",
    ],
)
def test_a_url_field_takes_a_web_address_only(seed_rev, address: str) -> None:
    message = refusal(seed_rev, {"attachment": address})["attachment"]
    assert "must be a web address starting with http:// or https://" in message


def test_web_addresses_of_either_scheme_are_accepted(seed_rev) -> None:
    for address in ("https://example.org/foto.jpg", "HTTP://example.org:8080/a?b=c#d"):
        out = new_ticket(seed_rev, "T-1", {**OTHER_CHANNEL, "attachment": address}, MONDAY)
        assert out.ticket.fields["attachment"] == address


def test_a_field_s_own_max_length_lowers_its_type_s(seed: Spec) -> None:
    fields = tuple(
        replace(f, max_length=160) if f.id == "complaint_text" else f for f in seed.fields
    )
    rev = compile_revision(replace(seed, fields=fields))
    new_ticket(rev, "T-1", {**OTHER_CHANNEL, "complaint_text": "a" * 160}, MONDAY)
    message = refusal(rev, {"complaint_text": "a" * 161})["complaint_text"]
    assert "at most 160 characters (this has 161)" in message
