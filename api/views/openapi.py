"""The OpenAPI 3 document of the running app, generated from its routes, and the docs page.

Every view declares its contract on itself (`api.views.operation`). This module walks the
app's URL map, so the document lists exactly the routes the app serves, and turns each
declaration into an operation with apispec's marshmallow plugin, from the same schema classes
that load requests and dump responses. What every route shares is added here once: the path
parameters, the bearer security scheme, and the RFC 9457 problem responses (each with the
stable `code` clients match on).
"""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Response, current_app, jsonify

from api.limits import JSON_BODY_METHODS, MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_JSON_INTEGER
from api.schemas.common import ProblemSchema
from api.views.docs_page import docs_html
from api.views.operation import Operation, declared, operation

API_TITLE = "SOP engine"
API_VERSION = "1"
DOCUMENTED_PREFIX = "/v1/"
AUTH_ERRORS = (401, 403)
# Every route may answer these: a NUL byte in the path, the query or a header (400), a failure.
COMMON_ERRORS = (400, 500)
# And a route that reads a JSON body these (api.limits): not JSON or a lone surrogate (400),
# too large (413), not sent as JSON (415), beyond a limit or refused by its schema (422).
BODY_ERRORS = (400, 413, 415, 422)
# Refusals of a request the schema admits, on every route (Operation.refusals: on one).
COMMON_REFUSALS = (
    (400, "bad_request", "a NUL byte in the path, query, a header or body text: no store holds it"),
)
BODY_REFUSALS = (
    (
        422,
        "body_limit",
        f"arrays or objects nested over {MAX_JSON_DEPTH} deep, or a whole number beyond "
        f"+-{MAX_JSON_INTEGER} (2^53 - 1)",
    ),
)
STORE_ERRORS = (503,)  # every route that reads or writes the store (all but the public ones)
REASONS = {
    400: "Bad request: a body that is not JSON, a NUL byte in the path, query, a header or "
    "the body",
    401: "No or unknown bearer token",
    403: "The token may not do this",
    404: "Not found (or outside the token's scope)",
    409: "Conflict with the ticket's current step or version",
    412: "If-Match does not match the current version",
    413: f"The body is larger than {MAX_BODY_BYTES} bytes",
    415: "The body is not sent as JSON (Content-Type: application/json)",
    422: "Invalid input; `errors` says what to fix",
    500: "Server failure (logged)",
    503: "The store cannot take work now (its database is down, full, or its file was lost: "
    "nothing was changed), or the server is stopping (what was done is kept)",
}
PROBLEM = {"application/problem+json": {"schema": "Problem"}}
_RULE_ARGUMENT = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


class UndocumentedRoute(LookupError):
    """A /v1 route whose view declares no operation: a maintainer's slip, caught by the tests."""


def openapi_document(app: Flask) -> dict[str, Any]:
    """The app's document, built on first use: routes do not change once the app is made."""
    doc = app.extensions.get("openapi")
    if doc is None:
        doc = app.extensions["openapi"] = _build(app)
    return doc  # type: ignore[no-any-return]


def _build(app: Flask) -> dict[str, Any]:
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
    for path, operations in _paths(app).items():
        spec.path(path=path, operations=operations)
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}]
    return doc


def _paths(app: Flask) -> dict[str, dict[str, Any]]:
    """Every documented route's operations by OpenAPI path, in the order the app added them."""
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(DOCUMENTED_PREFIX):
            continue
        op = declared(app.view_functions[rule.endpoint])
        if op is None:
            raise UndocumentedRoute(
                f"{rule.rule} ({rule.endpoint}) declares no operation: decorate its view with "
                "@operation (api/views/operation.py)"
            )
        path = _RULE_ARGUMENT.sub(r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(method.lower(), path, op)
    return paths


def _operation(method: str, path: str, op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tags": [op.tag],
        "summary": op.summary,
        "operationId": f"{method}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        "parameters": _parameters(path, op),
        "responses": _responses(op, write=method.upper() in JSON_BODY_METHODS),
    }
    if op.description:
        out["description"] = op.description
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {op.body_media: {"schema": op.body}},
        }
    if op.public:
        out["security"] = []
    return out


def _parameters(path: str, op: Operation) -> list[dict[str, Any]]:
    names = re.findall(r"{([^}]+)}", path)
    params: list[dict[str, Any]] = [
        {"in": "path", "name": n, "required": True, "schema": {"type": "string"}} for n in names
    ]
    if op.headers is not None:
        params.append({"in": "header", "schema": op.headers})
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    return params


def _responses(op: Operation, *, write: bool) -> dict[str, Any]:
    types = (op.media_type,) if isinstance(op.media_type, str) else op.media_type
    content: dict[str, Any] = {t: {} for t in types}
    if op.response is not None:
        content[types[0]] = {"schema": op.response}
    responses: dict[str, Any] = {str(op.status): {"description": "OK", "content": content}}
    codes = (
        *(() if op.public else (*AUTH_ERRORS, *STORE_ERRORS)),
        *op.errors,
        *COMMON_ERRORS,
    )
    if op.body is not None:
        codes += BODY_ERRORS
    elif write:  # a body-less write still refuses a form or text body
        codes += (415,)
    refusals = (*COMMON_REFUSALS, *(BODY_REFUSALS if op.body else ()), *op.refusals)
    for code in sorted({*codes, *(status for status, _, _ in refusals)}):
        responses[str(code)] = {"description": REASONS.get(code, "Error"), "content": PROBLEM}
    for status, code, why in refusals:
        listed = responses[str(status)].setdefault("x-refusals", {})
        listed[code] = why
        responses[str(status)]["description"] += f"; `{code}`: {why}"
    for code, schema in op.responses:
        responses[str(code)] = {
            "description": REASONS.get(code, "Error"),
            "content": {op.media_type: {"schema": schema}},
        }
    return responses


bp = Blueprint("docs", __name__)


@bp.get("/openapi.json")
@operation("docs", public=True)
def openapi_json() -> Response:
    """This document."""
    return jsonify(openapi_document(current_app))


@bp.get("/docs")
@operation("docs", public=True, media_type="text/html")
def docs_page() -> Response:
    """The operations as an HTML page."""
    return Response(docs_html(openapi_document(current_app)), mimetype="text/html")
