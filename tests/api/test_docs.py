"""Health, the OpenAPI document and the docs page."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from api.views.openapi import OPERATIONS


def test_health_is_public_and_says_what_the_server_runs_on(client: FlaskClient) -> None:
    resp = client.get("/v1/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
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
    assert documented == {(op.method, op.path) for op in OPERATIONS}


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
    client: FlaskClient,
) -> None:
    resp = client.get("/v1/docs")
    assert resp.status_code == 200
    assert resp.mimetype == "text/html"
    page = resp.get_data(as_text=True)
    for op in OPERATIONS:
        assert op.path in page
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?https?://""", page)
