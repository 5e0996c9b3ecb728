"""Every error the API returns, as RFC 9457 problem details, mapped in this one place.

A problem body is `application/problem+json`:

    {"type": "https://sop-engine.dev/problems/missing_inputs", "title": "Missing inputs",
     "status": 422, "detail": "what to fix", "code": "missing_inputs",
     "errors": {"follow_up_photo": ["required by event 'follow_up_submitted'"]}, ...}

`code` is stable (it is the engine exception's `code`, or one of the API's own below) and is
what clients match on; `errors` maps a field (a body key, or `data.<key>`) to its messages.
Anything unforeseen is logged and answered with a 500 problem, never an HTML page.

Views build no problems: they raise (an engine error, or an `ApiError` below) and the handlers
registered here answer. Which status an engine error gets is `ENGINE_STATUS`, and nothing else.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from flask import Flask, Response, json, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from api.schemas.common import ProblemSchema
from engine import errors as engine_errors

log = logging.getLogger(__name__)

PROBLEM_TYPE_BASE = "https://sop-engine.dev/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"
# What a problem body may hold (its schema's members); an engine error's other details (an
# internal exception's text, a file path) stay in the log.
PROBLEM_MEMBERS = frozenset(f.data_key or name for name, f in ProblemSchema().fields.items())


class ApiError(Exception):
    """An HTTP-level refusal (auth, request shape, preconditions); never about the SOP itself."""

    code = "bad_request"
    status = 400
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})
        self.extra = extra


class InvalidRequest(ApiError):
    code = "invalid_request"
    status = 422
    title = "Invalid request"


class InvalidJson(ApiError):
    code = "invalid_json"
    status = 400
    title = "Body is not valid JSON"


class Unauthorized(ApiError):
    code = "unauthorized"
    status = 401
    title = "Authentication required"


class Forbidden(ApiError):
    code = "forbidden"
    status = 403
    title = "Not allowed for this token"


class Stopping(ApiError):
    """The server began stopping (SIGTERM) while the request's work was under way: what it did
    is committed, the rest is done after the restart."""

    code = "stopping"
    status = 503
    title = "The server is stopping"


# The engine's exception tree -> (HTTP status, title). Subclasses are looked up before their
# bases (the MRO), so a new engine error inherits its parent's mapping until it gets its own.
ENGINE_STATUS: dict[type[engine_errors.SopError], tuple[int, str]] = {
    engine_errors.SopError: (400, "Request refused"),
    engine_errors.SopInvalid: (422, "SOP is invalid"),
    engine_errors.UnknownSop: (404, "No such SOP"),
    engine_errors.UnknownRevision: (404, "No such SOP revision"),
    # The store's own text of a revision was changed: the server's data is at fault, not the
    # request; the detail names the revision (docs/audit.md says how to restore it).
    engine_errors.StoredRevisionMismatch: (500, "Stored revision does not match its hash"),
    engine_errors.TicketError: (422, "Event refused"),
    engine_errors.UnknownEvent: (422, "Unknown event type"),
    engine_errors.EventNotAllowed: (409, "Event not allowed in the ticket's current step"),
    engine_errors.MissingInputs: (422, "Missing inputs"),
    engine_errors.ActorNotAllowed: (403, "Actor may not perform this event"),
    engine_errors.InvalidData: (422, "Invalid data"),
    engine_errors.RulesError: (500, "Rules engine failed"),
    engine_errors.InvalidClockMove: (422, "Invalid request"),
    engine_errors.InvalidRedelivery: (422, "Invalid request"),
    engine_errors.InvalidAccount: (422, "Invalid account"),
    engine_errors.NotFound: (404, "Not found"),
    engine_errors.Conflict: (409, "Conflict with the current version"),
    engine_errors.VersionMismatch: (412, "Version does not match"),
    engine_errors.StoreUnavailable: (503, "Store unavailable"),
    engine_errors.ReportsUnavailable: (503, "Reports database unavailable"),
    engine_errors.CheckpointInvalid: (422, "Audit checkpoint cannot be used"),
}


def engine_status(exc: engine_errors.SopError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in ENGINE_STATUS:
            return ENGINE_STATUS[cls]  # type: ignore[index]
    return 400, "Request refused"


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    errors: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.path if request else None,
    }
    if errors:
        body["errors"] = jsonable(errors)
    for key, value in extra.items():
        if key in PROBLEM_MEMBERS:
            body.setdefault(key, jsonable(value))
    resp = Response(json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        resp.headers[name] = value
    return resp


def jsonable(value: Any) -> Any:
    """Details may hold tuples, sets, dataclass-free objects: keep what JSON can carry."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def field_errors(exc: engine_errors.SopError) -> dict[str, list[str]]:
    """Per-field messages from an engine error's details.

    Understood: `errors` ({field: message(s)}), `missing` ([field, ...]), `field` (one name),
    and SopInvalid's located problems (keyed by their YAML path).
    """
    details = exc.details
    out: dict[str, list[str]] = {}
    raw = details.get("errors")
    if isinstance(raw, Mapping):
        for key, msgs in raw.items():
            many = isinstance(msgs, list | tuple)
            out[str(key)] = [str(m) for m in msgs] if many else [str(msgs)]
    missing = details.get("missing") or ()
    for name in missing:
        label = missing[name] if isinstance(missing, Mapping) else ""
        out.setdefault(str(name), []).append(f"required: {label}" if label else "required")
    if isinstance(details.get("field"), str):
        out.setdefault(details["field"], []).append(exc.message)
    if isinstance(exc, engine_errors.SopInvalid):
        for p in exc.problems:
            out.setdefault(p.path or "<root>", []).append(p.format())
    return out


def _engine_headers(exc: engine_errors.SopError) -> dict[str, str]:
    """A version mismatch names the current version as the ETag a GET would give."""
    if isinstance(exc, engine_errors.VersionMismatch):
        return {"ETag": f'"{exc.current_version}"'}
    return {}


class ReloadRefused(ApiError):
    """A hot reload refused by invalid files: the engine error's own status and code, with its
    problems listed per file (`errors`: file -> ["line:col: code: path: message"]), since a
    reload reads a whole folder."""

    def __init__(self, exc: engine_errors.SopInvalid) -> None:
        by_file: dict[str, list[str]] = defaultdict(list)
        for p in exc.problems:
            by_file[p.file or "<unknown file>"].append(replace(p, file="").format())
        super().__init__(f"reload refused, nothing changed: {exc.message}", errors=by_file)
        self.status, self.title = engine_status(exc)
        self.code = exc.code


def _from_engine(exc: engine_errors.SopError) -> Response:
    status, title = engine_status(exc)
    if isinstance(exc, engine_errors.StoreUnavailable):  # the store logged the cause once
        log.warning("%s %s refused: %s", request.method, request.path, exc)
    elif status >= 500:
        log.error("engine failure on %s %s: %s", request.method, request.path, exc, exc_info=exc)
    extra = {k: v for k, v in exc.details.items() if k not in {"errors", "missing", "field"}}
    return problem(
        status,
        exc.code,
        title,
        exc.message,
        errors=field_errors(exc),
        headers=_engine_headers(exc),
        **extra,
    )


def _from_api(exc: ApiError) -> Response:
    return problem(
        exc.status,
        exc.code,
        exc.title,
        exc.detail,
        errors=exc.errors,
        headers=exc.headers,
        **exc.extra,
    )


# Where a schema found the request at fault, as the problem's `detail` names it.
REQUEST_PARTS = {
    "body": "the request body has",
    "query": "the query string has",
    "headers": "the request headers have",
}


def invalid_input(exc: ValidationError, part: str) -> InvalidRequest:
    """A schema's refusal of one part of the request (`REQUEST_PARTS`: body, query, headers):
    422 `invalid_request` naming that part and each parameter at fault, with its messages."""
    messages = exc.messages if isinstance(exc.messages, dict) else {f"_{part}": exc.messages}
    fields = ", ".join(sorted(str(k) for k in messages))
    return InvalidRequest(
        f"{REQUEST_PARTS[part]} errors in: {fields}; see `errors`", errors=messages
    )


def _from_validation(exc: ValidationError) -> Response:
    """A schema loaded outside `api.views.common` (which names the part itself): a body's."""
    return _from_api(invalid_input(exc, "body"))


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = (exc.name or "error").lower().replace(" ", "_")
    headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
    return problem(status, code, exc.name or "Error", exc.description or "", headers=headers)


def _from_unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _from_http(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return problem(
        500,
        "internal_error",
        "Internal server error",
        "the server failed to handle this request; it was logged. Nothing was changed unless "
        "the ticket's timeline shows it.",
    )


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(engine_errors.SopError, _from_engine)
    app.register_error_handler(ApiError, _from_api)
    app.register_error_handler(ValidationError, _from_validation)
    app.register_error_handler(HTTPException, _from_http)
    app.register_error_handler(Exception, _from_unexpected)
