"""The OpenAPI 3 document, built with apispec from the same marshmallow schemas the views use,
and a self-contained HTML page listing the operations (no CDN, no JavaScript).

`OPERATIONS` is the one table of routes the document describes; a test checks it against the
app's URL map so neither can drift from the other.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, jsonify
from marshmallow import Schema

from api.schemas.admin import ReloadSchema
from api.schemas.clock import ClockMoveSchema, ClockSchema
from api.schemas.common import HealthSchema, ProblemSchema
from api.schemas.events import EventCreateSchema, EventResultSchema, TimelineSchema
from api.schemas.notifications import NotificationPageSchema, NotificationsQuerySchema
from api.schemas.sops import RevisionDetailSchema, SopListSchema, SopWithRevisionsSchema
from api.schemas.tickets import TicketCreateSchema, TicketListQuerySchema, TicketPageSchema
from api.schemas.tickets import TicketSchema as TicketViewSchema
from api.views.audit import ExportQuerySchema
from api.views.diff import DiffQuerySchema
from api.views.reports import MonevQuerySchema

API_TITLE = "SOP engine"
API_VERSION = "1"

IDEMPOTENCY_KEY = {
    "in": "header",
    "name": "Idempotency-Key",
    "schema": {"type": "string", "maxLength": 200},
    "description": "a retried request with the same key returns the first result, records nothing",
}
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "schema": {"type": "string"},
    "description": "the ticket version (its ETag); a mismatch is refused with 412",
}


@dataclass(frozen=True)
class Op:
    method: str
    path: str
    tag: str
    summary: str
    description: str = ""
    response: type[Schema] | None = None
    status: int = 200
    body: type[Schema] | None = None
    query: type[Schema] | None = None
    headers: tuple[dict[str, Any], ...] = ()
    errors: tuple[int, ...] = ()
    public: bool = False
    media_type: str = "application/json"
    extra_responses: dict[int, str] = field(default_factory=dict)


AUTH_ERRORS = (401, 403)
OPERATIONS: tuple[Op, ...] = (
    Op("get", "/v1/health", "health", "Is the server up", response=HealthSchema, public=True),
    Op("get", "/v1/sops", "sops", "SOPs loaded", response=SopListSchema),
    Op(
        "get",
        "/v1/sops/{sop}",
        "sops",
        "One SOP and its revisions",
        "Revisions ordered by effective date, each with its content hash.",
        response=SopWithRevisionsSchema,
        errors=(404,),
    ),
    Op(
        "get",
        "/v1/sops/{sop}/revisions/{rev}",
        "sops",
        "A parsed revision",
        "Steps with their SOP number, performers, required inputs, time limit and the events "
        "that complete them with their targets.",
        response=RevisionDetailSchema,
        errors=(404,),
    ),
    Op(
        "get",
        "/v1/sops/{sop}/diff",
        "sops",
        "What changed between two revisions",
        "Identity, sections, steps (matched by id, then number), time limits with their "
        "meaning, rules; `impact=true` adds the open tickets it affects. `format=markdown` "
        "answers text/markdown.",
        query=DiffQuerySchema,
        errors=(404, 422),
    ),
    Op(
        "post",
        "/v1/tickets",
        "tickets",
        "Open a ticket",
        "The SOP revision in force at `occurred_at` governs the ticket for its whole life.",
        body=TicketCreateSchema,
        response=TicketViewSchema,
        status=201,
        headers=(IDEMPOTENCY_KEY,),
        errors=(400, 409, 422),
    ),
    Op(
        "get",
        "/v1/tickets",
        "tickets",
        "List tickets",
        "Newest first; follow `next_cursor`. Scoped tokens see their own tickets only.",
        query=TicketListQuerySchema,
        response=TicketPageSchema,
        errors=(422,),
    ),
    Op(
        "get",
        "/v1/tickets/{ticket_id}",
        "tickets",
        "One ticket",
        "State, step, status, fields, deadlines, allowed events. The ETag is the version.",
        response=TicketViewSchema,
        errors=(404,),
    ),
    Op(
        "post",
        "/v1/tickets/{ticket_id}/events",
        "events",
        "Post an event to a ticket",
        "Applies the event and every rule it sets off, in one transaction. The engine's own "
        "timer events (`deadline`, `timer`) cannot be posted: 422 `invalid_data` on `type`. "
        "An If-Match that is not the current version: 412 with the current ETag.",
        body=EventCreateSchema,
        response=EventResultSchema,
        headers=(IDEMPOTENCY_KEY, IF_MATCH),
        errors=(400, 404, 409, 412, 422),
    ),
    Op(
        "get",
        "/v1/tickets/{ticket_id}/events",
        "events",
        "A ticket's timeline",
        "Every recorded event in order, with the revision that decided it.",
        response=TimelineSchema,
        errors=(404,),
    ),
    Op(
        "get",
        "/v1/notifications",
        "notifications",
        "The notifications outbox",
        "Oldest first; pass `next_cursor` as `after` to continue. Ids are stable.",
        query=NotificationsQuerySchema,
        response=NotificationPageSchema,
        errors=(422,),
    ),
    Op(
        "get",
        "/v1/clock",
        "clock",
        "The manual clock's time",
        "Only on servers started with `--clock manual`; 404 otherwise.",
        response=ClockSchema,
        errors=(404,),
    ),
    Op(
        "post",
        "/v1/clock",
        "clock",
        "Move the manual clock and sweep",
        "Only with `--clock manual`: moves the clock, then applies every deadline now due.",
        body=ClockMoveSchema,
        response=ClockSchema,
        errors=(404, 422),
    ),
    Op(
        "get",
        "/v1/reports/monev",
        "reports",
        "The monev report of an SOP over a period",
        "Tickets received and closed; per step runs entered, finished, within the time limit, "
        "median and 90th-percentile time in the step's unit, loops; notifications per rule. "
        "For the whole SOP and per value of its scope field. `format=csv` or "
        "`Accept: text/csv` answers CSV.",
        query=MonevQuerySchema,
        errors=(404, 422),
    ),
    Op(
        "get",
        "/v1/audit/verify",
        "audit",
        "Check every ticket's hash chain (auditor, admin)",
        "Reports every log entry changed, removed or reordered, by ticket and position, and "
        "tickets whose record does not match their last entry. Unscoped tokens only.",
        errors=(403,),
    ),
    Op(
        "get",
        "/v1/audit/export",
        "audit",
        "The event log for process mining (auditor, admin)",
        "XES (IEEE 1849) or OCEL 2.0: case = ticket, activity = the SOP step an entry finished, "
        "resource = actor. No field values. Unscoped tokens only.",
        query=ExportQuerySchema,
        errors=(403, 404, 422),
        media_type="application/xml",
    ),
    Op(
        "post",
        "/v1/admin/reload",
        "admin",
        "Reload the SOP folder (admin)",
        "Validates every revision file and adds new revisions to the running catalog, as "
        "SIGHUP does. Refused with every problem per file (`errors`: file -> messages), "
        "changing nothing, when a file is invalid (`sop_invalid`) or a revision that governed "
        "tickets was edited in place (`revision_changed`).",
        response=ReloadSchema,
        errors=(403, 422),
    ),
    Op("get", "/v1/openapi.json", "docs", "This document", public=True),
    Op(
        "get",
        "/v1/docs",
        "docs",
        "The operations as an HTML page",
        public=True,
        media_type="text/html",
    ),
)


def _path_params(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [
        {"in": "path", "name": n, "required": True, "schema": {"type": "string"}} for n in names
    ]


def _operation(op: Op) -> dict[str, Any]:
    params = _path_params(op.path) + list(op.headers)
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    content = {op.media_type: {"schema": op.response}} if op.response else {op.media_type: {}}
    responses: dict[str, Any] = {str(op.status): {"description": "OK", "content": content}}
    problem = {"application/problem+json": {"schema": "Problem"}}
    for code in (*(() if op.public else AUTH_ERRORS), *op.errors, 500):
        responses[str(code)] = {"description": _REASONS.get(code, "Error"), "content": problem}
    out: dict[str, Any] = {
        "tags": [op.tag],
        "summary": op.summary,
        "operationId": f"{op.method}_{re.sub(r'[^a-z0-9]+', '_', op.path.lower()).strip('_')}",
        "parameters": params,
        "responses": responses,
    }
    if op.description:
        out["description"] = op.description
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": op.body}},
        }
    if op.public:
        out["security"] = []
    return out


_REASONS = {
    400: "Bad request (e.g. invalid JSON)",
    401: "No or unknown bearer token",
    403: "The token may not do this",
    404: "Not found (or outside the token's scope)",
    409: "Conflict with the ticket's current step or version",
    412: "If-Match does not match the current version",
    422: "Invalid input; `errors` says what to fix",
    500: "Server failure (logged)",
}


@cache
def openapi_document() -> dict[str, Any]:
    spec = APISpec(
        title=API_TITLE,
        version=API_VERSION,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={
            "description": "Tickets moving through SOP revisions defined as YAML. Errors are "
            "RFC 9457 problem details with a stable `code`."
        },
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", schema=ProblemSchema)
    by_path: dict[str, dict[str, Any]] = {}
    for op in OPERATIONS:
        by_path.setdefault(op.path, {})[op.method] = _operation(op)
    for path, operations in by_path.items():
        spec.path(path=path, operations=operations)
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}]
    return doc


def docs_html() -> str:
    doc = openapi_document()
    schemas = doc.get("components", {}).get("schemas", {})
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{html.escape(API_TITLE)} API</title><style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(API_TITLE)} API v{API_VERSION}</h1>",
        f"<p>{html.escape(doc['info'].get('description', ''))}</p>",
        "<p>Machine-readable: <a href=openapi.json>openapi.json</a>. Send "
        "<code>Authorization: Bearer &lt;token&gt;</code> except where marked public.</p>",
    ]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            parts.append(_op_html(path, method, operation, schemas))
    parts.append("</body></html>")
    return "".join(parts)


def _op_html(path: str, method: str, op: dict[str, Any], schemas: dict[str, Any]) -> str:
    e = html.escape
    public = " <span class=pub>public</span>" if op.get("security") == [] else ""
    out = [
        f"<section id={e(op['operationId'])}><h2><span class=m>{method.upper()}</span> "
        f"<code>{e(path)}</code>{public}</h2><p><b>{e(op['summary'])}</b>. "
        f"{e(op.get('description', ''))}</p>"
    ]
    params = op.get("parameters", [])
    if params:
        out.append("<h3>Parameters</h3><ul>")
        for p in params:
            desc = p.get("description", "")
            out.append(f"<li><code>{e(p['name'])}</code> ({e(p['in'])}) {e(desc)}</li>")
        out.append("</ul>")
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    if body:
        out.append("<h3>Body</h3>" + _schema_html(body["schema"], schemas))
    codes = ", ".join(f"{c} {e(r['description'])}" for c, r in op["responses"].items())
    out.append(f"<h3>Responses</h3><p>{codes}</p></section>")
    return "".join(out)


def _schema_html(ref: dict[str, Any], schemas: dict[str, Any]) -> str:
    name = ref.get("$ref", "").rsplit("/", 1)[-1]
    schema = schemas.get(name, {})
    required = set(schema.get("required", ()))
    rows = []
    for prop, info in schema.get("properties", {}).items():
        kind = info.get("type", "object")
        if isinstance(kind, list):
            kind = "/".join(kind)
        req = "required" if prop in required else ""
        desc = info.get("description", "")
        rows.append(
            f"<tr><td><code>{html.escape(prop)}</code></td><td>{html.escape(str(kind))}</td>"
            f"<td>{req}</td><td>{html.escape(desc)}</td></tr>"
        )
    return f"<table>{''.join(rows)}</table>"


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "section{border-top:1px solid #ccc;padding:.5rem 0}.m{background:#245;color:#fff;"
    "padding:0 .4rem;border-radius:3px;font-size:.9em}.pub{color:#070;font-size:.7em}"
    "table{border-collapse:collapse}td{border:1px solid #ddd;padding:.2rem .5rem}"
    "h2{font-size:1.1rem}h3{font-size:.95rem;margin:.5rem 0 .2rem}"
)

bp = Blueprint("docs", __name__)


@bp.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi_document())


@bp.get("/docs")
def docs_page() -> Response:
    return Response(docs_html(), mimetype="text/html")
