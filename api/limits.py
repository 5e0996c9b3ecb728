"""What the API accepts as input, checked before a view runs or while a body is read.

    MAX_BODY_BYTES      a body larger than this is a 413 problem (Flask's MAX_CONTENT_LENGTH)
    MAX_JSON_DEPTH      arrays and objects nested deeper: 422 `body_limit`
    MAX_JSON_INTEGER    a whole number beyond +-(2^53 - 1), the largest every JSON reader keeps
                        exactly: 422 `body_limit`
    NUL                 a NUL byte (U+0000) in the path, a query parameter, a header, a form
                        field or a JSON string: 400 `bad_request` (PostgreSQL cannot store it)
    JSON media types    a /v1 write with a body (or a Content-Type) that is not JSON: 415
                        `unsupported_media_type`, with or without authentication (`--dev`), so a
                        cross-site form (text/plain, form-encoded) cannot post to the API; a
                        route declaring a multipart body (a file upload) takes that instead,
                        behind its bearer token (a cross-site form carries none)

A lone UTF-16 surrogate escape in a JSON string (`"\\ud800"`) is not text: 400 `invalid_json`.
Per-field string limits are the SOP field types' (`engine.spec.model.FIELD_MAX_LENGTH`);
ids and names in bodies and queries are at most `api.schemas.common.MAX_NAME_LENGTH` characters
(their schemas say so, and the OpenAPI document).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import current_app, request

from api.errors import ApiError, InvalidJson, InvalidRequest
from api.views.operation import declared

MAX_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
MAX_JSON_INTEGER = 2**53 - 1
# Digits beyond which a number cannot be within MAX_JSON_INTEGER: refused before Python
# converts it (converting thousands of digits is slow, and past 4,300 a ValueError).
_MAX_DIGITS = len(str(MAX_JSON_INTEGER))
_SURROGATE = re.compile("[\ud800-\udfff]")
JSON_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyLimit(InvalidRequest):
    """A JSON body that is well formed but beyond a limit (nesting, a whole number)."""

    code = "body_limit"
    title = "Body beyond a limit"


class UnsupportedMediaType(ApiError):
    code = "unsupported_media_type"
    status = 415
    title = "Unsupported media type"


def is_json(mimetype: str) -> bool:
    """application/json, or a JSON-based type (`application/problem+json`, ...)."""
    return mimetype == "application/json" or (
        mimetype.startswith("application/") and mimetype.endswith("+json")
    )


def require_json_writes() -> None:
    """A /v1 write carries JSON or nothing: a form or text body is refused before anything
    reads it (415), whatever the token, also on a `--dev` server that asks for none."""
    if request.method not in JSON_BODY_METHODS:
        return
    given = request.headers.get("Content-Type")
    has_body = bool(request.content_length) or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if given is None and not has_body:
        return
    op = declared(current_app.view_functions.get(request.endpoint or ""))
    wanted = op.body_media if op is not None and op.body is not None else "application/json"
    fits = is_json(request.mimetype) if wanted == "application/json" else request.mimetype == wanted
    if given is None or not fits:
        raise UnsupportedMediaType(
            f"the body must be sent as Content-Type: {wanted}, not "
            f"{given or 'a body without a Content-Type'}",
            errors={"Content-Type": [f"must be {wanted}"]},
        )


def refuse_nul_bytes() -> None:
    """No NUL byte in the path, the query string, a header or a form field (JSON bodies are
    checked as they are read, `checked_json`)."""
    found = _first_nul()
    if found is not None:
        where, key = found
        raise ApiError(
            f"{where} holds a NUL byte (\\x00); remove it",
            errors={key: ["holds a NUL byte (\\x00)"]},
        )


def _first_nul() -> tuple[str, str] | None:
    """(what holds it, its name in `errors`) of the first NUL byte outside a JSON body."""
    if "\x00" in request.path:
        return "the path", "_path"
    parts = [("query parameter", request.args.items(multi=True)), ("header", request.headers)]
    if request.mimetype == "application/x-www-form-urlencoded":
        parts.append(("form field", request.form.items(multi=True)))
    for part, pairs in parts:
        for key, value in pairs:
            if "\x00" in key or "\x00" in value:
                return f"the {part} {key!r}", key
    return None


def _no_constant(name: str) -> Any:
    raise InvalidJson(f"{name} is not a JSON number; send a finite number or null")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise InvalidJson(f"the number {text[:40]} is too large; send a finite number")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > _MAX_DIGITS or abs(value := int(text)) > MAX_JSON_INTEGER:
        shown = text if len(text) <= 40 else f"{text[:20]}... ({len(text)} characters)"
        raise BodyLimit(
            f"the body holds the whole number {shown}; whole numbers are at most "
            f"{MAX_JSON_INTEGER} (2^53 - 1) either way",
            errors={"_body": [f"a whole number beyond +-{MAX_JSON_INTEGER}"]},
        )
    return value


def checked_json(raw: bytes) -> Any:
    """The JSON document in `raw`, refused (400/422 problems) when it is not JSON, or breaks
    one of the limits above: nesting, whole numbers, NUL bytes and lone surrogates."""
    try:
        doc = json.loads(
            raw, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int
        )
    except UnicodeDecodeError:
        raise InvalidJson("the body is not UTF-8 text; send a JSON object") from None
    except json.JSONDecodeError as exc:
        raise InvalidJson(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise _too_deep() from None
    for path, depth, text in _walk(doc):
        if depth > MAX_JSON_DEPTH:
            raise _too_deep()
        where = f"the body's {path}" if path else "the body"
        if text is not None and "\x00" in text:
            raise ApiError(
                f"{where} holds a NUL byte (\\x00); remove it",
                errors={path or "_body": ["holds a NUL byte (\\x00)"]},
            )
        if text is not None and _SURROGATE.search(text):
            raise InvalidJson(
                f"{where} holds a lone UTF-16 surrogate (\\ud800-\\udfff), which is not "
                "text; send a character beyond U+FFFF as its surrogate pair",
                errors={path or "_body": ["holds a lone surrogate"]},
            )
    return doc


def _too_deep() -> BodyLimit:
    return BodyLimit(
        f"the body nests arrays or objects more than {MAX_JSON_DEPTH} deep; send a flatter one",
        errors={"_body": [f"nested more than {MAX_JSON_DEPTH} deep"]},
    )


def _walk(doc: Any) -> Iterator[tuple[str, int, str | None]]:
    """(path, depth, the string there or None) for every value and key of `doc`, without
    recursion: `data.x`, `items[2]`; a key is given at its value's path. Stops after the
    first container deeper than MAX_JSON_DEPTH."""
    stack: list[tuple[str, int, Any]] = [("", 0, doc)]
    while stack:
        path, depth, value = stack.pop()
        if not isinstance(value, dict | list):
            yield path, depth, value if isinstance(value, str) else None
            continue
        yield path, depth + 1, None
        if depth + 1 > MAX_JSON_DEPTH:
            return
        if isinstance(value, list):
            stack.extend((f"{path}[{i}]", depth + 1, item) for i, item in enumerate(value))
            continue
        for key, item in value.items():
            inner = f"{path}.{key}" if path else key
            yield inner, depth + 1, key
            stack.append((inner, depth + 1, item))
