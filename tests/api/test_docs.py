"""Health, the OpenAPI document and the docs page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, Response
from flask.testing import FlaskClient

from api.views.openapi import UndocumentedRoute, openapi_document
from api.views.operation import declared, operation
from tests.api.conftest import make_app

HEALTH = {"/v1/health/live", "/v1/health/ready"}


def test_health_is_public_and_says_what_the_server_runs_on(client: FlaskClient) -> None:
    resp = client.get("/v1/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["clock"] == "manual"
    assert body["database"] == "sqlite"
    assert body["sops"] >= 1
    assert body["now"].startswith("2025-01-06T02:00:00")  # the manual clock's start, in UTC


def _app_routes(app: Flask) -> set[tuple[str, str]]:
    out = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/v1"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        out |= {(m.lower(), path) for m in rule.methods or () if m not in {"HEAD", "OPTIONS"}}
    return out


def test_openapi_documents_exactly_the_routes_the_app_serves(
    app: Flask, client: FlaskClient
) -> None:
    doc = client.get("/v1/openapi.json").get_json()
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert documented == _app_routes(app)


def test_a_route_without_a_declared_operation_is_refused_by_name(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.add_url_rule("/v1/forgotten", "forgotten", lambda: Response("x"))
    with pytest.raises(UndocumentedRoute, match="/v1/forgotten"):
        openapi_document(app)
    app.extensions["sop"].close()


def test_an_operation_takes_its_summary_and_description_from_the_docstring() -> None:
    @operation("things", errors=(404,))
    def view() -> Response:
        """One thing.

        Found by its id,
        or 404.
        """
        return Response()

    op = declared(view)
    assert op is not None
    assert (op.summary, op.description) == ("One thing", "Found by its id, or 404.")
    assert op.errors == (404,)
    with pytest.raises(TypeError, match="docstring"):
        operation("things")(lambda: Response())


def test_every_operation_keeps_its_problem_responses_and_headers(client: FlaskClient) -> None:
    doc = client.get("/v1/openapi.json").get_json()
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    public_paths = {"/v1/health", "/v1/openapi.json", "/v1/docs"} | HEALTH
    reports = {("/v1/health", "503"), ("/v1/health/ready", "503")}  # a health report
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            public = op.get("security") == []
            assert public == (path in public_paths), path
            codes = {c for c in op["responses"] if c.startswith(("4", "5"))}
            assert {"500"} | (set() if public else {"401", "403", "503"}) <= codes, (method, path)
            for code in codes - {c for p, c in reports if p == path}:
                assert op["responses"][code]["content"] == problem, (method, path, code)
    event = doc["paths"]["/v1/tickets/{ticket_id}/events"]["post"]
    assert {"400", "404", "409", "412", "422"} <= set(event["responses"])
    headers = {p["name"]: p for p in event["parameters"] if p["in"] == "header"}
    assert headers["Idempotency-Key"]["schema"] == {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
    }
    assert "412" in headers["If-Match"]["description"]
    export = doc["paths"]["/v1/audit/export"]["get"]
    assert "application/xml" in export["responses"]["200"]["content"]
    assert doc["components"]["schemas"]["Problem"]["properties"]["code"]["type"] == "string"


def test_openapi_request_bodies_come_from_the_schemas(client: FlaskClient) -> None:
    doc = client.get("/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    create = doc["paths"]["/v1/tickets"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert schema["required"] == ["sop"]
    assert {"sop", "fields", "occurred_at", "external_ref"} <= set(schema["properties"])
    params = {
        p["name"] for p in doc["paths"]["/v1/tickets/{ticket_id}/events"]["post"]["parameters"]
    }
    assert {"ticket_id", "Idempotency-Key", "If-Match"} <= params
    listing = {p["name"] for p in doc["paths"]["/v1/tickets"]["get"]["parameters"]}
    assert {"state", "status", "overdue", "scope", "cursor", "limit"} <= listing
    assert "422" in create["responses"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_docs_page_lists_every_operation_and_loads_nothing_from_elsewhere(
    app: Flask, client: FlaskClient
) -> None:
    resp = client.get("/v1/docs")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    for _method, path in _app_routes(app):
        assert path in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?https?://""", page)


def test_the_document_says_which_routes_need_a_token_as_the_server_enforces(
    client: FlaskClient,
) -> None:
    doc = client.get("/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            url = re.sub(r"{[^}]+}", "x", path)
            status = client.open(url, method=method.upper()).status_code
            if op.get("security") == []:
                assert status == 200, (method, path)
            else:
                assert status == 401, (method, path)


def test_the_document_names_the_limits_and_each_refusal_of_a_valid_request(
    client: FlaskClient,
) -> None:
    """A request the schema admits may still be refused for what the schema cannot say (the
    SOP's own event types, a ticket's state): each such refusal is listed, by problem code, as
    `x-refusals` under its status; bodies also answer 413 (too large) and 415 (not JSON)."""
    doc = client.get("/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            nul = op["responses"]["400"]["x-refusals"]
            assert "NUL byte" in nul["bad_request"], (method, path)
            if "requestBody" in op:
                assert {"413", "415", "422"} <= set(op["responses"]), (method, path)
                assert "body_limit" in op["responses"]["422"]["x-refusals"]
    event = doc["paths"]["/v1/tickets/{ticket_id}/events"]["post"]["responses"]
    assert set(event["422"]["x-refusals"]) == {
        "body_limit",
        "unknown_event",
        "missing_inputs",
        "invalid_data",
    }
    assert set(event["409"]["x-refusals"]) == {"event_not_allowed", "conflict"}
    assert "`unknown_event`" in event["422"]["description"]
    reload = doc["paths"]["/v1/admin/reload"]["post"]["responses"]
    assert "415" in reload  # no body, but a form posted to it is refused
    export = doc["paths"]["/v1/audit/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/xml", "application/json"}
    monev = doc["paths"]["/v1/reports/monev"]["get"]["responses"]["200"]["content"]
    assert set(monev) == {"application/json", "text/csv", "text/plain"}
    if_match = next(
        p
        for p in doc["paths"]["/v1/tickets/{ticket_id}/events"]["post"]["parameters"]
        if p["name"] == "If-Match"
    )
    assert if_match["schema"]["pattern"]  # '' and 5,000 digits are outside it
