"""Input limits: what a hostile or unlucky client sends is a 4xx problem saying what to fix,
and changes nothing (api/limits.py; docs/api.md "Limits")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.views.openapi import openapi_document
from engine.errors import SopError
from tests.api.conftest import make_app, sender
from tests.api.journey import SOP, Journey
from tests.integration.conftest import Database
from tests.integration.conftest import database as database  # noqa: F401 - both backends
from tests.support.seed import OTHER_CHANNEL

AUTH = {"Authorization": "Bearer root-secret"}
JSON = {**AUTH, "Content-Type": "application/json"}


def problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["code"] == code and body["detail"], body
    return body  # type: ignore[no-any-return]


def opening(complaint_text: str) -> str:
    """A ticket-opening body with `complaint_text` as raw JSON text."""
    return f'{{"sop": "{SOP}", "fields": {{"complaint_text": {complaint_text}}}}}'


def tickets(client: FlaskClient) -> list[dict[str, Any]]:
    return client.get("/v1/tickets", headers=AUTH).get_json()["items"]  # type: ignore[no-any-return]


@pytest.fixture
def ticket(client: FlaskClient) -> str:
    made = client.post("/v1/tickets", json={"sop": SOP, "fields": OTHER_CHANNEL}, headers=AUTH)
    return made.get_json()["id"]  # type: ignore[no-any-return]


def timeline(client: FlaskClient, ticket_id: str) -> list[str]:
    items = client.get(f"/v1/tickets/{ticket_id}/events", headers=AUTH).get_json()["items"]
    return [e["event"] for e in items]


# -- JSON bodies --------------------------------------------------------------------------------


def test_json_nested_deeper_than_the_limit_is_refused_not_a_crash(client: FlaskClient) -> None:
    for raw in (
        "[" * 100_000 + "]" * 100_000,
        opening("[" * 40 + "]" * 40),
    ):
        body = problem(client.post("/v1/tickets", data=raw, headers=JSON), 422, "body_limit")
        assert "more than 32 deep" in body["detail"]
    assert tickets(client) == []


def test_a_lone_surrogate_is_not_text(client: FlaskClient) -> None:
    raw = opening('"rusak \\ud800"')
    body = problem(client.post("/v1/tickets", data=raw, headers=JSON), 400, "invalid_json")
    assert body["errors"] == {"fields.complaint_text": ["holds a lone surrogate"]}
    paired = opening('"rusak \\ud83d\\ude00"')
    assert client.post("/v1/tickets", data=paired, headers=JSON).status_code == 201


def test_whole_numbers_beyond_2_to_the_53_are_refused_in_bodies(client: FlaskClient) -> None:
    for number in ("9" * 5000, str(2**53), str(-(2**53))):
        raw = opening(number)
        body = problem(client.post("/v1/tickets", data=raw, headers=JSON), 422, "body_limit")
        assert "at most 9007199254740991" in body["detail"] and len(body["detail"]) < 300
    assert tickets(client) == []
    fits = opening(str(2**53 - 1))
    body = problem(client.post("/v1/tickets", data=fits, headers=JSON), 422, "invalid_data")
    assert body["errors"]["complaint_text"]  # read, then refused as the field's type: text


def test_a_5000_digit_if_match_is_refused_and_changes_nothing(
    client: FlaskClient, ticket: str
) -> None:
    for tag in ("9" * 5000, '"' + "1" * 19 + '"', "", "abc"):
        resp = client.post(
            f"/v1/tickets/{ticket}/events",
            json={"type": "accept", "actor": "staff"},
            headers={**AUTH, "If-Match": tag},
        )
        body = problem(resp, 422, "invalid_request")
        assert list(body["errors"]) == ["If-Match"], tag
    assert timeline(client, ticket) == ["created"]


# -- times, cursors, periods ----------------------------------------------------------------------


def test_occurred_at_in_the_year_one_is_refused_not_a_crash(
    client: FlaskClient, ticket: str
) -> None:
    year_one = "0001-01-01T00:00:00+14:00"
    opened = client.post("/v1/tickets", json={"sop": SOP, "occurred_at": year_one}, headers=AUTH)
    body = problem(opened, 422, "invalid_data")
    assert body["errors"] == {"occurred_at": ["outside the years 0001-9999 in UTC"]}
    posted = client.post(
        f"/v1/tickets/{ticket}/events",
        json={"type": "accept", "actor": "staff", "occurred_at": year_one},
        headers=AUTH,
    )
    problem(posted, 422, "invalid_data")
    assert len(tickets(client)) == 1 and timeline(client, ticket) == ["created"]


def test_an_event_backdated_before_the_ticket_is_refused(client: FlaskClient, ticket: str) -> None:
    """The attacker's backdating: an event years before the ticket was opened "met its limit"
    and put the timeline out of order."""
    resp = client.post(
        f"/v1/tickets/{ticket}/events",
        json={"type": "accept", "actor": "staff", "occurred_at": "2019-01-06T09:00:00+07:00"},
        headers=AUTH,
    )
    body = problem(resp, 422, "invalid_data")
    assert "before the ticket's last entry" in body["detail"]
    assert timeline(client, ticket) == ["created"]


def test_a_cursor_beyond_64_bits_is_refused_not_a_crash(client: FlaskClient) -> None:
    body = problem(
        client.get("/v1/notifications?after=9223372036854775808", headers=AUTH),
        422,
        "invalid_request",
    )
    assert list(body["errors"]) == ["after"]
    last = client.get("/v1/notifications?after=9223372036854775807", headers=AUTH)
    assert last.status_code == 200


# -- NUL bytes, on each backend -----------------------------------------------------------------


@pytest.fixture
def any_backend(database: Database, tmp_path: Path) -> Iterator[Flask]:  # noqa: F811
    """An app on SQLite, and on PostgreSQL (whose text cannot hold a NUL) when it is there."""
    database.open().close()  # the schema, migrated
    app = make_app(tmp_path, SOP_DATABASE_URL=database.reader_url)
    yield app
    app.extensions["sop"].close()


def test_a_nul_byte_anywhere_is_a_400_before_the_store(any_backend: Flask) -> None:
    client = any_backend.test_client()
    made = Journey(sender(client, "root")).create()
    refused = [
        client.get("/v1/tickets/A%00B", headers=AUTH),
        client.get(f"/v1/tickets/{made['id']}/events?x=%00", headers=AUTH),
        client.get("/v1/tickets?sop=surabaya%00complaints", headers=AUTH),
        client.get("/v1/notifications?channel=%00", headers=AUTH),
        client.get("/v1/tickets", headers={**AUTH, "X-Request-Note": "a\x00b"}),
        client.post("/v1/tickets", json={"sop": SOP, "external_ref": "ref\x00-1"}, headers=AUTH),
        client.post(
            f"/v1/tickets/{made['id']}/events",
            json={"type": "accept", "actor": "staff", "data": {"x\x00": 1}},
            headers=AUTH,
        ),
    ]
    for resp in refused:
        body = problem(resp, 400, "bad_request")
        assert "NUL byte" in body["detail"]
    assert [t["id"] for t in tickets(client)] == [made["id"]]
    assert timeline(client, made["id"]) == ["created"]


# -- media types --------------------------------------------------------------------------------


def test_a_cross_site_form_cannot_post_to_a_dev_server(tmp_path: Path) -> None:
    """A --dev server asks for no token, so a page elsewhere could post a form to it: a body
    that is not sent as JSON is refused, 415, before anything reads it."""
    app = make_app(tmp_path, SOP_DEV=True)
    client = app.test_client()
    raw = json.dumps({"sop": SOP})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {"Content-Type": content_type} if content_type else {}
        resp = client.post("/v1/tickets", data=raw, headers=headers)
        if content_type is None:  # the test client adds none: a body without a type
            resp = client.open("/v1/tickets", method="POST", input_stream=None, data=raw.encode())
        problem(resp, 415, "unsupported_media_type")
    form = client.post("/v1/admin/reload", data={"x": "1"})
    problem(form, 415, "unsupported_media_type")
    assert client.get("/v1/tickets").get_json()["items"] == []
    assert client.post("/v1/tickets", data=raw, headers={"Content-Type": "application/json"})
    assert client.post("/v1/admin/reload").status_code == 200  # no body: nothing to refuse
    assert len(client.get("/v1/tickets").get_json()["items"]) == 1
    app.extensions["sop"].close()


# -- problem bodies -----------------------------------------------------------------------------


def test_every_problem_body_matches_the_documented_problem_schema(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    schema = openapi_document(app)["components"]["schemas"]["Problem"]  # before /v1/boom

    def boom() -> str:
        raise SopError("refused", secret_path="/srv/data/sop.db", ticket_id="T-9")

    app.add_url_rule("/v1/boom", "boom", boom)
    client = app.test_client()
    assert schema["additionalProperties"] is False
    events = f"/v1/tickets/{Journey(sender(client, 'root')).create()['id']}/events"
    replies = [
        client.get("/v1/tickets/NOPE", headers=AUTH),  # 404 with ticket_id
        client.post(events, json={"type": "nope", "actor": "staff"}, headers=AUTH),
        client.post(events, json={"type": "triage", "actor": "staff"}, headers=AUTH),
        client.post(
            events, json={"type": "accept", "actor": "staff"}, headers={**AUTH, "If-Match": "7"}
        ),
        client.post("/v1/tickets", json={"sop": SOP, "fields": {"channel": "x"}}, headers=AUTH),
        client.get("/v1/boom", headers=AUTH),
    ]
    statuses = [r.status_code for r in replies]
    assert statuses == [404, 422, 409, 412, 422, 400], statuses
    for resp in replies:
        jsonschema.validate(resp.get_json(), schema)
    boom_body = replies[-1].get_json()
    assert "secret_path" not in boom_body and boom_body["ticket_id"] == "T-9"
    app.extensions["sop"].close()
