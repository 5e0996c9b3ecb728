"""Bad input is a 4xx problem that says what to fix; nothing is ever an HTML 500."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import make_app

AUTH = {"Authorization": "Bearer root-secret"}
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = st.sampled_from(["sop", "fields", "type", "actor", "data", "occurred_at", "advance", "set"])
BODIES = st.dictionaries(KEYS, JSON, max_size=4) | JSON


def _check_problem(resp) -> None:  # noqa: ANN001
    assert 400 <= resp.status_code < 500, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json()
    assert body["status"] == resp.status_code
    assert body["code"] and body["title"] and body["detail"]


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"{",
        b"[1, 2]",
        b"\xff\xfe",
        b'"text"',
        b"null",
        b'{"sop": 1}',
        b"1e999999",
        b'{"sop": "surabaya-complaints", "fields": {"x": NaN}}',
        b'{"sop": "surabaya-complaints", "fields": {"x": 1e400}}',
        b'{"type": "accept", "actor": "staff", "data": {"a": -Infinity}}',
    ],
)
def test_unparseable_or_non_object_bodies_are_400_or_422(client: FlaskClient, raw: bytes) -> None:
    for path in ("/v1/tickets", "/v1/tickets/X/events", "/v1/clock"):
        resp = client.post(path, data=raw, headers={**AUTH, "Content-Type": "application/json"})
        _check_problem(resp)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES, path=st.sampled_from(["/v1/tickets", "/v1/clock", "/v1/tickets/{id}/events"]))
def test_fuzzed_bodies_never_get_a_500(
    tmp_path_factory: pytest.TempPathFactory, body, path
) -> None:  # noqa: ANN001
    app = _shared_app(tmp_path_factory)
    client = app.test_client()
    resp = client.post(path.format(id=app.config["TICKET"]), json=body, headers=AUTH)
    if resp.status_code < 400:  # a valid body is fine too (a move of the clock, say)
        return
    _check_problem(resp)


_APPS: dict[str, object] = {}


def _shared_app(factory: pytest.TempPathFactory):  # noqa: ANN202
    if "app" not in _APPS:
        app = make_app(factory.mktemp("fuzz"))
        client = app.test_client()
        made = client.post("/v1/tickets", json={"sop": "surabaya-complaints"}, headers=AUTH)
        app.config["TICKET"] = made.get_json()["id"]
        _APPS["app"] = app
    return _APPS["app"]


@pytest.fixture(scope="module", autouse=True)
def _close_shared_app():  # noqa: ANN202
    yield
    app = _APPS.pop("app", None)
    if app is not None:
        app.extensions["sop"].close()  # type: ignore[attr-defined]


def test_oversized_bodies_are_413_problems(client: FlaskClient) -> None:
    big = b'{"sop": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    resp = client.post(
        "/v1/tickets", data=big, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert resp.status_code == 413 and resp.mimetype == "application/problem+json"


def test_unknown_routes_and_methods_are_problems(client: FlaskClient) -> None:
    missing = client.get("/v1/nothing", headers=AUTH)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    wrong = client.delete("/v1/tickets", headers=AUTH)
    assert wrong.status_code == 405 and "GET" in wrong.headers["Allow"]
    assert wrong.mimetype == "application/problem+json"


def test_an_unexpected_failure_is_logged_and_answered_as_a_500_problem(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(tmp_path)

    def boom() -> str:
        raise RuntimeError("secret internals")

    app.add_url_rule("/v1/boom", "boom", boom)
    with caplog.at_level(logging.ERROR):
        resp = app.test_client().get("/v1/boom", headers=AUTH)
    assert resp.status_code == 500
    body = json.loads(resp.get_data())
    assert body["code"] == "internal_error" and "secret internals" not in body["detail"]
    assert "secret internals" in caplog.text
    app.extensions["sop"].close()


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/tickets?limit=0", "limit"),
        ("/v1/tickets?overdue=perhaps", "overdue"),
        ("/v1/notifications?after=-1", "after"),
        ("/v1/notifications?limit=abc", "limit"),
    ],
)
def test_a_bad_query_parameter_is_named_as_one_of_the_query_string(
    client: FlaskClient, path: str, parameter: str
) -> None:
    resp = client.get(path, headers=AUTH)
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["detail"].startswith(f"the query string has errors in: {parameter};")
    assert body["errors"][parameter]  # the schema's own message for that parameter


def test_a_bad_header_is_named_as_one_of_the_headers_and_opens_nothing(
    client: FlaskClient,
) -> None:
    body = {"sop": "surabaya-complaints"}
    for key in ("", "k" * 201):
        resp = client.post("/v1/tickets", json=body, headers={**AUTH, "Idempotency-Key": key})
        assert resp.status_code == 422, key
        problem = resp.get_json()
        assert problem["detail"].startswith("the request headers have errors in: Idempotency-Key")
        assert problem["errors"]["Idempotency-Key"]
    assert client.get("/v1/tickets", headers=AUTH).get_json()["items"] == []
    resp = client.post("/v1/tickets", json={"sop": ""}, headers=AUTH)  # the body, as before
    assert resp.get_json()["detail"].startswith("the request body has errors in: sop;")
