"""marshmallow fields that read YAML values strictly and fail with a stable problem code.

Every error these raise is a `Msg` (code, message, hint); `engine.spec.schema` turns marshmallow's
error dict into located `Problem`s. Values are not converted: the validated document is the YAML
data itself, and `engine.spec.build` builds the Spec from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validates_schema

from engine.spec.durations import SPELLINGS, parse_duration
from engine.spec.hints import describe, did_you_mean, one_of, quote_hint
from engine.spec.office_hours import HOURS_HINT, parse_week

IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Msg:
    code: str
    message: str
    hint: str = ""


def is_blank(value: Any) -> bool:
    """Null or text of spaces only: both mean "none" where a key is optional."""
    return value is None or (isinstance(value, str) and not value.strip())


def fail(code: str, message: str, hint: str = "") -> ValidationError:
    return ValidationError([Msg(code, message, hint)])


class Strict(Schema):
    """A mapping whose keys are exactly the declared fields (unknown keys are problems)."""

    class Meta:
        unknown = "exclude"

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _no_unknown_keys(self, _data: Any, original: Any, **_kw: Any) -> None:
        if not isinstance(original, dict):
            return
        known = [f.data_key or name for name, f in self.fields.items()]
        split = split_texts(original, known)
        errors = {
            key: [
                Msg(
                    "unknown_key",
                    f"unknown key {key!r}",
                    split.get(key) or did_you_mean(key, known),
                )
            ]
            for key in original
            if isinstance(key, str) and key not in known
        }
        if errors:
            raise ValidationError(errors)


def split_texts(mapping: dict[Any, Any], known: list[str]) -> dict[str, str]:
    """Hints for `{text: Foto, lampiran}`: in a flow mapping a comma ends the text, and what
    follows reads as keys without values. Each such key gets the hint to quote the whole text."""
    hints: dict[str, str] = {}
    text_key, parts, tail = "", [], []  # the text before, its parts, the keys that split it
    for key, value in [*mapping.items(), ("", 0)]:
        if isinstance(key, str) and key not in known and value is None and text_key:
            parts.append(key)
            tail.append(key)
            continue
        whole = ", ".join(parts)
        for k in tail:
            hints[k] = f'a comma ends a text inside {{...}}: quote it, {text_key}: "{whole}"'
        text_key, parts, tail = "", [], []
        if isinstance(key, str) and key in known and isinstance(value, str):
            text_key, parts = key, [value]
    return hints


class Text(fields.Field):
    """Text; `pattern` makes it an identifier. Numbers, booleans and dates are refused."""

    def __init__(
        self,
        *,
        pattern: re.Pattern[str] | None = None,
        choices: Iterable[str] | None = None,
        nonempty: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self.pattern = pattern
        self.choices = tuple(choices) if choices is not None else None
        self.nonempty = nonempty

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if not isinstance(value, str):
            raise fail("wrong_type", f"expected text, got {describe(value)}", quote_hint(value))
        if self.nonempty and not value.strip():
            raise fail("empty_value", "must not be empty")
        if self.choices is not None and value not in self.choices:
            hint = did_you_mean(value, self.choices) or one_of(self.choices)
            raise fail("bad_value", f"{value!r} is not one of the accepted values", hint)
        if self.pattern is not None and not self.pattern.match(value):
            raise fail(
                "bad_identifier",
                f"{value!r} is not a valid id",
                _id_hint(self.pattern),
            )
        return value


def _id_hint(pattern: re.Pattern[str]) -> str:
    if pattern is SLUG:
        return "use lowercase letters, digits, '-' and '_', starting with a letter or digit"
    return "use lowercase letters, digits and '_', starting with a letter"


def Ident(**kw: Any) -> Text:  # noqa: N802 - reads as a field type
    return Text(pattern=IDENT, **kw)


class Int(fields.Field):
    """A whole number (not a boolean, not text), at least `minimum`."""

    def __init__(self, *, minimum: int | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.minimum = minimum

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail("wrong_type", f"expected a whole number, got {describe(value)}")
        if self.minimum is not None and value < self.minimum:
            raise fail("bad_value", f"must be {self.minimum} or more, got {value}")
        return value


class Bool(fields.Field):
    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if not isinstance(value, bool):
            raise fail("wrong_type", f"expected true or false, got {describe(value)}")
        return value


class Date(fields.Field):
    """A date: unquoted `2023-08-31` (YAML reads it as a date) or the same text in quotes.
    Where null is allowed, blank text ("") is read as null too: both mean "no date"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if self.allow_none and is_blank(value):
            return None
        if isinstance(value, datetime):
            raise fail("bad_date", f"expected a date, got {describe(value)}", "write the date only")
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise fail(
            "bad_date",
            f"cannot read {describe(value)} as a date",
            "write a real date as YYYY-MM-DD, e.g. 2023-08-31",
        )


class Duration(fields.Field):
    """A time limit in words, read by `engine.spec.durations.parse_duration`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if not isinstance(value, str):
            raise fail(
                "bad_duration",
                f"expected a time limit such as '1 hari kerja', got {describe(value)}",
                f"write a number and a unit in quotes, e.g. {SPELLINGS}",
            )
        try:
            parse_duration(value)
        except ValueError as exc:
            raise fail("bad_duration", str(exc), f"write e.g. {SPELLINGS}") from None
        return value


class OfficeHours(fields.Field):
    """A week of office hours, read by `engine.spec.office_hours.parse_week`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        try:
            parse_week(value)
        except ValueError as exc:
            raise fail("bad_office_hours", str(exc), HOURS_HINT) from None
        return value


class Nip(fields.Field):
    """An Indonesian civil servant number (NIP): 18 digits, written as text."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if self.allow_none and is_blank(value):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            raise fail(
                "wrong_type",
                "a NIP is written as text, not as a number",
                f'write it in quotes: "{value}"',
            )
        if not isinstance(value, str):
            raise fail("wrong_type", f"expected text, got {describe(value)}")
        digits = value.replace(" ", "")
        if not (len(digits) == 18 and digits.isdigit()):
            raise fail(
                "bad_nip",
                f"a NIP has 18 digits; {value!r} has {sum(c.isdigit() for c in value)}",
                "copy it from the signed SOP, e.g. 197405091994121001",
            )
        return value


class List(fields.Field):
    """A list of `inner` values; `nonempty` refuses `[]`."""

    def __init__(self, inner: fields.Field, *, nonempty: bool = False, **kw: Any) -> None:
        super().__init__(**kw)
        self.inner = inner
        self.nonempty = nonempty

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if not isinstance(value, list):
            raise fail("wrong_type", f"expected a list, got {describe(value)}", _list_hint(value))
        if self.nonempty and not value:
            raise fail("empty_value", "the list must not be empty")
        errors: dict[int, Any] = {}
        for i, item in enumerate(value):
            try:
                self.inner.deserialize(item)
            except ValidationError as exc:
                errors[i] = exc.messages
        if errors:
            raise ValidationError(errors)
        return value


def _list_hint(value: Any) -> str:
    if isinstance(value, str | int | float):
        return "write it as a list: [item] or one '- item' per line"
    return ""


class Map(fields.Field):
    """A mapping from ids to `inner` values: `actors: {<id>: {label: ...}}`."""

    def __init__(
        self, inner: fields.Field, *, pattern: re.Pattern[str] | None = IDENT, **kw: Any
    ) -> None:
        super().__init__(**kw)
        self.inner = inner
        self.pattern = pattern

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> Any:
        if not isinstance(value, dict):
            raise fail("wrong_type", f"expected a mapping of ids, got {describe(value)}")
        errors: dict[str, Any] = {}
        for key, item in value.items():
            if self.pattern is not None and not self.pattern.match(key):
                errors[key] = [
                    Msg("bad_identifier", f"{key!r} is not a valid id", _id_hint(self.pattern))
                ]
                continue
            try:
                self.inner.deserialize(item)
            except ValidationError as exc:
                errors[key] = exc.messages
        if errors:
            raise ValidationError(errors)
        return value


class Record(fields.Nested):
    """A nested mapping with its own keys; refuses text, lists and nulls with a clear message."""

    def _deserialize(
        self, value: Any, attr: str | None, data: Any, partial: Any = None, **kw: Any
    ) -> Any:
        if not isinstance(value, dict):
            raise fail("wrong_type", f"expected a mapping of keys, got {describe(value)}")
        return super()._deserialize(value, attr, data, partial, **kw)


class Raw(fields.Field):
    """Checked later, with the rest of the document in view (conditions, rule triggers)."""
