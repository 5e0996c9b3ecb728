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
SHA256 = re.compile(r"^[0-9a-f]{64}$")
FILE_REF_KEYS = ("sha256", "name", "type", "size")  # a stored file, as the log records it
MAX_FILE_NAME = 255


def _problem(fdef: FieldDef, value: Any) -> str | None:
    if value is None:
        return None
    kind = fdef.type
    if kind == "boolean":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return None if ok else "must be a number"
    if kind == "file":
        return _files_problem(fdef, value)
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


def _files_problem(fdef: FieldDef, value: Any) -> str | None:
    """One file reference, or (`multiple: true`) a list of at most `max_files` of them."""
    if not fdef.multiple:
        return _file_ref_problem(fdef, value)
    if not isinstance(value, list):
        return "must be a list of files (as POST /v1/tickets/{id}/files answers)"
    if len(value) > fdef.max_files:
        return f"at most {fdef.max_files} files (this has {len(value)})"
    for item in value:
        problem = _file_ref_problem(fdef, item)
        if problem:
            return problem
    return None


def _file_ref_problem(fdef: FieldDef, ref: Any) -> str | None:
    keys = ", ".join(FILE_REF_KEYS)
    if not isinstance(ref, dict) or set(ref) != set(FILE_REF_KEYS):
        return f"must be a stored file: {{{keys}}} (as POST /v1/tickets/{{id}}/files answers)"
    if not isinstance(ref["sha256"], str) or not SHA256.match(ref["sha256"]):
        return "sha256 must be 64 lowercase hexadecimal digits"
    if not isinstance(ref["name"], str) or not 0 < len(ref["name"]) <= MAX_FILE_NAME:
        return f"name must be text of 1 to {MAX_FILE_NAME} characters"
    if ref["type"] not in fdef.media_types:
        return f"type must be one of: {', '.join(fdef.media_types)}"
    size = ref["size"]
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= fdef.max_bytes:
        return f"size must be 1 to {fdef.max_bytes} bytes ({fdef.max_size_mb} MB)"
    return None


def file_refs(value: Any) -> list[dict[str, Any]]:
    """The file references a file field's value holds (none for a value of another kind)."""
    items = value if isinstance(value, list) else [value]
    return [r for r in items if isinstance(r, dict) and isinstance(r.get("sha256"), str)]


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
