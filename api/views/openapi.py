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

from api.schemas.common import ProblemSchema
from api.views.docs_page import docs_html
from api.views.operation import Operation, declared, operation

API_TITLE = "SOP engine"
API_VERSION = "1"
DOCUMENTED_PREFIX = "/v1/"
AUTH_ERRORS = (401, 403)
STORE_ERRORS = (503,)  # every route that reads or writes the store (all but the public ones)
REASONS = {
    400: "Bad request (e.g. invalid JSON)",
    401: "No or unknown bearer token",
    403: "The token may not do this",
    404: "Not found (or outside the token's scope)",
    409: "Conflict with the ticket's current step or version",
    412: "If-Match does not match the current version",
    422: "Invalid input; `errors` says what to fix",
    500: "Server failure (logged)",
    503: "The store cannot take work now (its database is down, full, or its file was lost); "
    "nothing was changed",
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
        "responses": _responses(op),
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


def _responses(op: Operation) -> dict[str, Any]:
    content = {op.media_type: {"schema": op.response}} if op.response else {op.media_type: {}}
    responses: dict[str, Any] = {str(op.status): {"description": "OK", "content": content}}
    for code in (*(() if op.public else (*AUTH_ERRORS, *STORE_ERRORS)), *op.errors, 500):
        responses[str(code)] = {"description": REASONS.get(code, "Error"), "content": PROBLEM}
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
