"""Check values given for a ticket's fields against the SOP's field definitions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from engine.errors import InvalidData
from engine.spec.model import FieldDef, Spec

_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_SCHEMES = ("http", "https")  # a link anyone may open: no javascript:, file:, data:
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")


def _problem(fdef: FieldDef, value: Any) -> str | None:
    if value is None:
        return None
    kind = fdef.type
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if not isinstance(value, str):
        return "must be text"
    longest = fdef.longest
    if longest is not None and len(value) > longest:
        return f"at most {longest} characters (this has {len(value)})"
    if kind == "url" and not _web_address(value):
        return "must be a web address starting with http:// or https://"
    if kind == "choice" and value not in fdef.choices:
        return f"must be one of: {', '.join(fdef.choices)}"
    if kind == "phone" and not _PHONE.match(value):
        return "must be a phone number (digits, optional leading +)"
    if kind == "email" and not _EMAIL.match(value):
        return "must be an e-mail address"
    if kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "must be a date (YYYY-MM-DD)"
    return None


def _web_address(value: str) -> bool:
    """An absolute http(s) URL with a host, no spaces or control characters."""
    if _NOT_IN_URL.search(value):
        return False
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it checks it (0-65535)
    except ValueError:  # an unreadable host or port: http://[::1, http://a:99999
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.hostname)


def check_values(
    spec: Spec,
    values: Mapping[str, Any],
    allowed: Iterable[str] | None = None,
    what: str = "data",
    *,
    hints: Mapping[str, str] | None = None,
    details: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return `values` if every key is a known (and, when given, allowed) field of the right
    type; otherwise raise InvalidData listing every problem per key. `hints` says, per key not
    allowed, where it is; `details` go with the error when one is raised."""
    known = {f.id: f for f in spec.fields}
    permitted = set(allowed) if allowed is not None else set(known)
    errors: dict[str, str] = {}
    for key, value in values.items():
        if key not in known or key not in permitted:
            hint = ", ".join(sorted(permitted & set(known))) or "none"
            errors[key] = f"not accepted here; accepted {what}: {hint}"
            if hints and key in hints:
                errors[key] += f"; {hints[key]}"
            continue
        problem = _problem(known[key], value)
        if problem:
            errors[key] = f"{known[key].label}: {problem}"
    if errors:
        raise InvalidData(
            f"invalid {what}: " + "; ".join(f"{k}: {v}" for k, v in errors.items()),
            errors=errors,
            **(details or {}),
        )
    return dict(values)
