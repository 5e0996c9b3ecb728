"""Personal data where the reader has no need of it: one mask and one rule, for every reader.

The SOP marks fields `personal: true`. Wherever a value of such a field would reach someone
without a need for it, it reads `MASK` instead: in a notification's text (unless the rule says
`include_personal`), in the inputs a rule's decision records, and in a ticket, timeline entry
or outbox item read through the API or the web pages by a reader without personal-data access.
The core masks what it writes; the API masks what it reads back; both call this module, so a
value is hidden the same way on every path.

Only a value that is set is masked: set as the condition language's `is_set` means it
(`engine.spec.semantics`: anything but None, "", an empty list or an empty mapping; 0 and false
are set). An empty value discloses nothing, and leaving it as it is tells the reader the field
was left empty.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from engine.spec.semantics import is_set

MASK = "***"


def masked_names(values: Mapping[str, Any], personal: Collection[str]) -> list[str]:
    """The keys of `values` that `mask_fields` hides, in their order (the API lists them)."""
    return [key for key, value in values.items() if key in personal and is_set(value)]


def mask_fields(values: Mapping[str, Any], personal: Collection[str]) -> dict[str, Any]:
    """A copy of `values` with every set value of a `personal` key replaced by `MASK`."""
    return {
        key: MASK if key in personal and is_set(value) else value for key, value in values.items()
    }


def personal_values(values: Mapping[str, Any], personal: Collection[str]) -> list[str]:
    """The set personal values as text: what `mask_text` looks for in free text."""
    return [str(values[key]) for key in masked_names(values, personal)]


def mask_text(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of each secret replaced by `MASK`. The longest go first, so
    a value that contains another (a full name and its first name) is hidden whole."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
