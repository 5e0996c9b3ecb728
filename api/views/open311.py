"""The Open311 GeoReport v2 facade under /open311/v2, in JSON and XML (docs/integrations.md).

    GET  services.{json,xml}                  the services of every SOP with an open311.yaml
    GET  services/{code}.{json,xml}           a service's definition: its attributes
    POST requests.{json,xml}                  open a ticket (api_key: a token that writes)
    GET  requests.{json,xml}                  service requests, filtered as the spec says
    GET  requests/{id}.{json,xml}             one
    GET  tokens/{token}.{json,xml}            404: requests are created synchronously

Another API with its own conventions, so not in /v1's OpenAPI document: form-encoded bodies,
the format chosen by the extension, errors as the specification's arrays
(`[{"code": 400, "description": ...}]`, `<errors><error>...`) with its HTTP codes (400 a bad
or missing parameter, 403 a bad api_key, 404 an unknown service or request). The meaning
(mapping requests to SOP fields and back) is engine.app.open311's; here are the HTTP and the
formats. The token is `api_key` (query or form) or a bearer header; `--dev` needs none.
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, current_app, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from api.auth import DEV_PRINCIPAL, Principal
from api.errors import ApiError, Forbidden, engine_status, field_errors
from api.views.access import fields_in_scope, maskers, opening_actor, reader, scope_filter
from api.views.common import runtime
from engine.app import open311
from engine.errors import InvalidData, SopError, TicketError

log = logging.getLogger(__name__)

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

FMT = "<any(json, xml):fmt>"
MEDIA = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# An XML list's element and its items' (the specification's examples).
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "errors": "error",
}
MAX_IDS = 1000


@bp.get(f"/services.{FMT}")
def services(fmt: str) -> Response:
    """Every service: public, as it holds no ticket."""
    catalog, now = runtime().service.catalog, runtime().clock.now()
    items = [
        open311.service_view(f, catalog.effective(f.sop_id, now)) for f in open311.offered(catalog)
    ]
    return _answer(fmt, "services", items)


@bp.get(f"/services/<code>.{FMT}")
def service_definition(code: str, fmt: str) -> Response:
    catalog = runtime().service.catalog
    found = open311.find(catalog, code)
    spec = catalog.effective(found.sop_id, runtime().clock.now())
    return _answer(fmt, "service_definition", open311.definition_view(found, spec))


@bp.post(f"/requests.{FMT}")
def create_request(fmt: str) -> Response:
    """Open a ticket. Synchronous: the answer holds its service_request_id."""
    principal = _caller()
    if not principal.can_write:
        raise Forbidden(f"api_key {principal.name!r} is read-only: use a key that may write")
    params = _params()
    code = params.get("service_code", "").strip()
    if not code:
        raise InvalidData("service_code is required", errors={"service_code": ["required"]})
    rt = runtime()
    found = open311.find(rt.service.catalog, code)
    spec = rt.service.catalog.effective(found.sop_id, rt.clock.now())
    fields = open311.ticket_fields(found, spec, params)
    try:
        record = rt.service.open_ticket(
            found.sop_id,
            fields_in_scope(principal, fields),
            actor=opening_actor(principal, None),
            user=principal.name,
        ).record
    except InvalidData as exc:  # a value its field refuses: named as the client sent it
        raise open311.in_request_words(found, exc) from None
    made = {"service_request_id": record.id, "service_notice": None, "account_id": None}
    return _answer(fmt, "service_requests", [made], 201)


@bp.get(f"/requests.{FMT}")
def list_requests(fmt: str) -> Response:
    principal = _caller()
    params = _params()
    ids = _listed(params, "service_request_id")
    if len(ids) > MAX_IDS:
        raise InvalidData(
            f"service_request_id: at most {MAX_IDS} ids",
            errors={"service_request_id": [f"at most {MAX_IDS} ids"]},
        )
    start, end = (
        open311.parse_time(params[k], k) if params.get(k) else None
        for k in ("start_date", "end_date")
    )
    hits = open311.list_requests(
        runtime().service,
        ids=ids,
        codes=_listed(params, "service_code"),
        start=start,
        end=end,
        statuses=_listed(params, "status"),
        scope=scope_filter(principal, None),
    )
    return _answer(fmt, "service_requests", _views(hits))


@bp.get(f"/requests/<request_id>.{FMT}")
def get_request(request_id: str, fmt: str) -> Response:
    principal = _caller()
    hit = open311.one_request(runtime().service, request_id, scope_filter(principal, None))
    return _answer(fmt, "service_requests", _views([hit]))


@bp.get(f"/tokens/<token>.{FMT}")
def token(token: str, fmt: str) -> Response:
    """No tokens: POST requests answers the service_request_id itself."""
    raise NotFound(
        f"no token {token!r}: this server creates requests synchronously, so POST requests "
        "answers their service_request_id and gives no tokens"
    )


@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def elsewhere(rest: str) -> Response:
    """Any other path under the prefix: the specification's error, not a problem document."""
    adapter = current_app.url_map.bind("")
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)
        except HTTPException:
            continue
        if endpoint != request.endpoint:
            raise MethodNotAllowed(description=f"{request.method} is not offered here")
    raise NotFound(
        f"no Open311 resource {rest!r}: services, services/{{code}}, requests, "
        "requests/{id}, each ending in .json or .xml"
    )


def _caller() -> Principal:
    """The token as `api_key` (query or form) or a bearer header; any in `--dev` mode."""
    registry = runtime().tokens
    if registry is None:
        _same_origin()
        g.principal = DEV_PRINCIPAL
        return DEV_PRINCIPAL
    secret = request.values.get("api_key", "").strip()
    scheme, _, bearer = request.headers.get("Authorization", "").partition(" ")
    if not secret and scheme.lower() == "bearer":
        secret = bearer.strip()
    if not secret:
        raise Forbidden("api_key is required: give the token the city issued you as api_key")
    principal = registry.lookup(secret)
    if principal is None:
        raise Forbidden("api_key is not valid: check the token the city issued you")
    g.principal = principal
    return principal


def _same_origin() -> None:
    """`--dev` asks for no api_key, and Open311 posts forms, which any web page can make a
    browser send: a POST a browser sends from another site (its `Origin` header names it) is
    refused. curl and Open311 clients send no Origin."""
    origin = request.headers.get("Origin")
    if request.method == "POST" and origin and origin != request.host_url.rstrip("/"):
        raise Forbidden(f"a POST from {origin} is refused: without tokens, only this site's own")


def _params() -> dict[str, str]:
    """The request's parameters, query and form together (the first of a repeated one)."""
    return dict(request.values.items())


def _listed(params: Mapping[str, str], name: str) -> list[str]:
    return [v.strip() for v in params.get(name, "").split(",") if v.strip()]


def _views(hits: list[tuple[Any, open311.Found]]) -> list[dict[str, Any]]:
    who = reader()
    masks = maskers([record for record, _ in hits], who)
    now = runtime().clock.now()
    return [
        open311.request_view(record, found, who.fields(record.ticket.fields, masks[record.id]), now)
        for record, found in hits
    ]


# -- formats -------------------------------------------------------------------------------------


def _answer(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    if fmt == "xml":
        text = ET.tostring(_element(root, data), encoding="unicode")
        body = f'<?xml version="1.0" encoding="UTF-8"?>\n{text}'.encode()
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    return Response(body, status=status, content_type=MEDIA[fmt])


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, list):
        element.extend(_element(ITEMS.get(tag, "item"), item) for item in value)
    elif isinstance(value, dict):
        element.extend(_element(k, v) for k, v in value.items())
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def _errors(status: int, messages: list[str]) -> Response:
    fmt = "xml" if request.path.endswith(".xml") else "json"
    items = [{"code": status, "description": m} for m in messages]
    return _answer(fmt, "errors", items, status)


@bp.errorhandler(SopError)
def _from_engine(exc: SopError) -> Response:
    status, _ = engine_status(exc)
    if isinstance(exc, TicketError):  # the request's values: a bad parameter
        status = 400
    per_field = field_errors(exc)
    messages = [f"{k}: {m}" for k, ms in per_field.items() for m in ms] or [exc.message]
    if status >= 500:
        log.error("open311 %s %s failed: %s", request.method, request.path, exc, exc_info=exc)
    return _errors(status, messages)


@bp.errorhandler(ApiError)
def _from_api(exc: ApiError) -> Response:
    status = 403 if exc.status == 401 else exc.status  # the specification: a bad api_key is 403
    return _errors(status, [exc.detail])


@bp.errorhandler(HTTPException)
def _from_http(exc: HTTPException) -> Response:
    return _errors(exc.code or 500, [exc.description or exc.name])


@bp.errorhandler(Exception)
def _from_unexpected(exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.path)
    return _errors(500, ["the server failed to handle this request; it was logged"])
