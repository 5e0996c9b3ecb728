"""Personal data where the reader has no need of it: one mask and one rule, for every reader.

The SOP marks fields `personal: true`. Wherever a value of such a field would reach someone
without a need for it, it reads `MASK` instead: in a notification's text (unless the rule says
`include_personal`), in the inputs a rule's decision records, and in a ticket, timeline entry
or outbox item read through the API or the web pages by a reader without personal-data access.
The core masks what it writes (with the values the ticket has now; `TicketService` masks the
values its log holds from before in a notification before it is stored and sent); the API
masks what it reads back; all call this module, so a value is hidden the same way on every path.
Who has the need is the API's one rule (`api.auth`: the roles with personal-data access); a
notification's recipient has it only where the rule says `include_personal`: the reporter's own
message is masked too, as it may be answered on a public channel.

A field is hidden by its key (`mask_fields`), and the same values are hidden where people typed
them into free text (`Masker`, built per ticket by `ticket_masker`): the values of the SOP's
`string` and `text` fields, a notification's text, a rule's reading of them. A ticket's masker
looks for every value its personal fields have had (now, and each one in its log: a name
corrected at step 4 is still the name the complaint's text gives), a name in any letter case
and spacing, a phone number (a `phone` field's value) with or without +62 / 62 / 0, and any
number with any spaces, dots, dashes or brackets between its digits.
It also hides, on any ticket, what reads as an Indonesian phone number (a mobile 08.. / +628..
/ 628.., 10 to 13 digits; a landline with its area code: 0 or +62, then 2 to 3 digits, 5 to 8
more), an e-mail address and a NIK (16 digits shaped as one: a province code, a district, a
birth date, never a run of zeros). What it does not take for personal: ISO dates and times,
amounts in rupiah ("Rp 1.250.000"), ticket ids, numbers under 6 digits.

A personal value too short to stand for a person in free text (fewer than `MIN_TEXT_CHARS`
letters and digits; a number of fewer than `MIN_NUMBER_DIGITS` digits) is masked by its key only:
a name "Al" would otherwise hide every word "al". Values are matched as whole words: "Ani" hides
"ani" and "ANI", never the "ani" in "Anita".

Only a value that is set is masked: set as the condition language's `is_set` means it
(`engine.spec.semantics`: anything but None, "", an empty list or an empty mapping; 0 and false
are set). An empty value discloses nothing, and leaving it as it is tells the reader the field
was left empty.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.core.fields import file_refs
from engine.core.identity_cache import by_identity
from engine.spec.model import FieldDef, Spec
from engine.spec.semantics import is_set

MASK = "***"
FREE_TEXT_TYPES = frozenset({"string", "text"})  # the field types people type words into
MIN_TEXT_CHARS = 3  # letters and digits a personal value needs to be looked for in free text
MIN_NUMBER_DIGITS = 6  # digits a personal number needs to be looked for in free text

# A run of digits as people write a number: spaces, dots, dashes and brackets between digits.
# Only such runs are searched for phone numbers and NIKs (and a ticket's personal numbers), each
# with the character before it: one fast scan of the text instead of every pattern's.
_RUN = re.compile(r"\d[\d .\-()]*\d")
_GAP = r"[ .\-()]{0,2}"  # between two digits of a number: at most two such characters
_NUMBER = re.compile(r"\+?[\d .\-()]+")
_NOT_DIGIT = re.compile(r"\D")

_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![\w\-])"
)
# A mobile number: +62 / 62 / 0, then 8, an operator digit and 7 to 10 more digits.
_MOBILE = r"(?<![\w+(])(?P<mobile>\(?(?:\+62|62|0)[ .\-]?8[1-9](?:\)?[ .\-]?\d){7,10})(?!\d)"
# A landline: 0 or +62, an area code of 2 or 3 digits (not 1 or 8: 08 is a mobile), 5 to 8 more.
_LANDLINE = (
    r"(?<![\w+])(?:\(0[2-79]\d{1,2}\)|0[2-79]\d{1,2}|\+62[ .\-]?\(?[2-79]\d{1,2}\)?)"
    r"[ .\-]?\d(?:[ .\-]?\d){4,7}(?!\d)"
)
# A NIK: 16 digits run together, in fours, or as the card prints them (2.2.2.6.4).
_NIK = (
    r"(?<![\d.\-])(?P<nik>\d{16}|\d{4}(?P<sep>[ .\-])\d{4}(?P=sep)\d{4}(?P=sep)\d{4}"
    r"|\d{2}\.\d{2}\.\d{2}\.\d{6}\.\d{4})(?![\d])"
)
_NUMBERS = re.compile("|".join((_MOBILE, _LANDLINE, _NIK)))
_PATTERN_DIGITS = 8  # the fewest digits of any of them (a landline: 0, 2 digits, 5 more)
# Province codes (the NIK's first two digits), Papua's new provinces included.
_PROVINCES = frozenset(
    [*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77)]
    + [81, 82, *range(91, 98)]
)


def mask_fields(values: Mapping[str, Any], personal: Collection[str]) -> dict[str, Any]:
    """A copy of `values` with every set value of a `personal` key replaced by `MASK`."""
    return {
        key: MASK if key in personal and is_set(value) else value for key, value in values.items()
    }


@dataclass(frozen=True)
class Masker:
    """What hides one ticket's personal data: its personal fields by key, and in free text every
    value they have had and what reads as a phone number, an e-mail address or a NIK."""

    personal: frozenset[str]  # the keys masked whole
    free_text: frozenset[str]  # the keys whose values are free text
    # The ticket's personal values: (what a text must hold for one to be in it, its pattern).
    names: tuple[tuple[str, str], ...] = ()  # its words in lower case, one space between
    numbers: tuple[tuple[str, str], ...] = ()  # its digits

    @classmethod
    def of(
        cls,
        personal: Collection[str],
        free_text: Collection[str] = (),
        values: Iterable[str] = (),
        phones: Iterable[str] = (),
    ) -> Masker:
        """A masker of the keys `personal` that looks, in the values of `free_text` keys, for
        `values` (as text) and `phones` (as phone numbers, whatever their prefix)."""
        names: set[tuple[str, str]] = set()
        numbers: set[tuple[str, str]] = set()
        for value, phone in [(v, False) for v in values] + [(p, True) for p in phones]:
            value = value.strip()
            if _NUMBER.fullmatch(value) and any(c.isdigit() for c in value):
                numbers.update(_number(value, phone))
            elif sum(c.isalnum() for c in value) >= MIN_TEXT_CHARS:
                words = value.lower().split()
                names.add((" ".join(words), r"\s+".join(re.escape(word) for word in words)))
        return cls(frozenset(personal), frozenset(free_text), _sorted(names), _sorted(numbers))

    def text(self, text: str, *, patterns: bool = True) -> str:
        """`text` with the ticket's personal values masked and, with `patterns`, phone numbers,
        e-mail addresses and NIKs. A value's pattern runs only where a text holds its words, or a
        number there holds its digits (most texts hold none: no pattern to build or run)."""
        if self.names:
            spaced = " ".join(text.lower().split())
            names = _either(tuple(p for words, p in self.names if words in spaced))
            if names is not None:
                text = _names_in(names, text)
        if patterns and "@" in text:
            text = _EMAIL.sub(MASK, text)
        if patterns or self.numbers:
            text = _numbers_in(text, self.numbers, patterns)
        return text

    def value(self, value: Any) -> Any:
        """A free-text value masked: a text, or each text in a list or mapping."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list | tuple):
            return type(value)(self.value(v) for v in value)
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def fields(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """A copy of `values` (a ticket's fields, an entry's data) as a reader without
        personal-data access sees it."""
        shown = mask_fields(values, self.personal)
        for key in self.free_text.intersection(shown):
            shown[key] = self.value(shown[key])
        return shown

    def masked(self, values: Mapping[str, Any]) -> list[str]:
        """The keys whose value `fields` hides, whole or in part, in their order."""
        shown = self.fields(values)
        return [key for key, value in values.items() if shown[key] != value]


def ticket_masker(spec: Spec, seen: Iterable[Mapping[str, Any]] = ()) -> Masker:
    """The masker of a ticket of `spec`; `seen`: every mapping of field values it has had (its
    fields now and each log entry's data), whose personal values it looks for in free text."""
    personal, phones, free = masking_kinds(spec)
    texts: set[str] = set()
    numbers: set[str] = set()
    for values in seen:
        for key in personal.intersection(values):
            found = numbers if key in phones else texts
            refs = file_refs(values[key])  # a file: its name is the personal text, not its hash
            given = [r.get("name") for r in refs] if refs else values[key]
            found.update(str(value) for value in _scalars(given))
    return Masker.of(personal, free, texts, numbers)


# By the fields tuple itself first: hashing a revision's field definitions on every notification
# cost more than masking it.
_KINDS: dict[int, tuple[Any, Any]] = {}


def masking_kinds(spec: Spec) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The revision's personal fields, the phone numbers among them, its free-text fields."""
    return by_identity(_KINDS, spec.fields, _kinds)


@functools.lru_cache(maxsize=64)
def _kinds(fields: tuple[FieldDef, ...]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """A revision's personal fields, the phone numbers among them, and its free-text fields."""
    personal = frozenset(f.id for f in fields if f.personal)
    phones = frozenset(f.id for f in fields if f.personal and f.type == "phone")
    free = frozenset(f.id for f in fields if f.type in FREE_TEXT_TYPES and not f.personal)
    return personal, phones, free


def _scalars(value: Any) -> Iterable[Any]:
    if isinstance(value, list | tuple):
        for item in value:
            yield from _scalars(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _scalars(item)
    elif is_set(value) and not isinstance(value, bool):
        yield value


def _sorted(found: Collection[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The longest patterns first, so a full name is hidden whole and not its first name
    alone."""
    return tuple(sorted(found, key=lambda f: (-len(f[1]), f[1])))


@functools.lru_cache(maxsize=1024)
def _either(parts: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for any of `parts`, in their order; built once for the values a list of
    tickets (or one ticket's timeline) shares."""
    return re.compile("|".join(parts)) if parts else None


def _numbers_in(text: str, numbers: tuple[tuple[str, str], ...], patterns: bool) -> str:
    """Each run of digits, with the sign or bracket and the character before it, searched for
    the ticket's personal `numbers` (those whose digits it holds) and, with `patterns`, phones
    and NIKs."""
    out, last = [], 0
    for match in _RUN.finditer(text):
        start = match.start()
        if start > last and text[start - 1] in "+(":
            start -= 1
        before = text[start - 1 : start] if start > last else ""
        chunk = masked = before + text[start : match.end()]
        digits = _NOT_DIGIT.sub("", chunk)
        if len(digits) < min(MIN_NUMBER_DIGITS, _PATTERN_DIGITS):
            continue  # a date's day, a time, a small amount
        if numbers:
            found = _either(tuple(p for wanted, p in numbers if wanted in digits))
            masked = found.sub(_mask, chunk) if found is not None else chunk
        if patterns and len(digits) >= _PATTERN_DIGITS:
            masked = _NUMBERS.sub(_pattern_mask, masked)
        if masked != chunk:
            out += [text[last:start], masked[len(before) :]]
            last = match.end()
    return "".join(out) + text[last:] if out else text


def _names_in(names: re.Pattern[str], text: str) -> str:
    """Each personal text (`names`, in lower case) masked as a whole word, in any letter case
    and spacing."""
    lowered = text.lower()
    same = len(lowered) == len(text)
    found = names.finditer(lowered) if same else _ignoring_case(names.pattern).finditer(text)
    out, last = [], 0
    for match in found:
        start, end = match.span()
        if _word_char(text, start - 1, start) or _word_char(text, end, end - 1):
            continue
        out += [text[last:start], MASK]
        last = end
    return "".join(out) + text[last:] if out else text


@functools.cache
def _ignoring_case(pattern: str) -> re.Pattern[str]:
    """For a text whose lower case is not as long (a few Unicode letters): the same search."""
    return re.compile(pattern, re.IGNORECASE)


def _word_char(text: str, at: int, inner: int) -> bool:
    """Whether a match edge cuts a word: the character at `at` (outside the match) and the one
    at `inner` (its edge) are both letters or digits."""
    return 0 <= at < len(text) and text[at].isalnum() and text[inner].isalnum()


def _number(value: str, phone: bool) -> list[tuple[str, str]]:
    """A personal number as (its digits, its pattern): a phone with any of its prefixes (+62,
    62, 0), any number with any separators; none under `MIN_NUMBER_DIGITS` digits."""
    digits = _NOT_DIGIT.sub("", value)
    if len(digits) < MIN_NUMBER_DIGITS:
        return []
    national = _national(value, digits) if phone else None
    if national is not None:
        prefix = r"(?<![\d+])\(?(?:\+62|62|0)" + _GAP
        return [(national, prefix + _GAP.join(national) + r"(?!\d)")]
    return [(digits, r"(?<!\d)" + _GAP.join(digits) + r"(?!\d)")]


def _national(value: str, digits: str) -> str | None:
    """A phone number's digits without its country or trunk prefix (+62, 62, 0)."""
    if value.lstrip().startswith("+") or digits.startswith("62"):
        return digits[2:] if digits.startswith("62") else None
    return digits[1:] if digits.startswith("0") else None


def _mask(match: re.Match[str]) -> str:
    """The mask for a match; an opening bracket it took whose closing one it left is kept, as
    in "(0812 3456 7890)"."""
    found = match.group(0)
    return "(" + MASK if found.startswith("(") and ")" not in found else MASK


def _pattern_mask(match: re.Match[str]) -> str:
    found = match.group(0)
    if match.group("mobile") and found.startswith("62") and "." in found:
        return found  # "628.123.456.789" is an amount: a number without + or 0 has no dots
    if match.group("nik") and not _nik_shaped(_NOT_DIGIT.sub("", found)):
        return found
    return _mask(match)


def _nik_shaped(digits: str) -> bool:
    """Whether 16 digits read as a NIK: a province code, a regency and a district (not 00), a
    birth date (the day plus 40 for a woman) and a serial that is not 0000."""
    day, month = int(digits[6:8]), int(digits[8:10])
    return (
        int(digits[:2]) in _PROVINCES
        and digits[2:4] != "00"
        and digits[4:6] != "00"
        and (1 <= day <= 31 or 41 <= day <= 71)
        and 1 <= month <= 12
        and digits[12:] != "0000"
    )
