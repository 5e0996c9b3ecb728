"""Log lines (api/logs.py): JSON lines that parse, a request id in the answer's header and on
every line made during the request, a `token` query value never written."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from api.logs import configure_logging
from tests.api.conftest import TOKENS, make_app

ROOT = {"Authorization": f"Bearer {TOKENS['root'][0]}"}


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[tuple[Flask, io.StringIO]]:
    """An app writing access lines, the process's log going to a buffer as JSON."""
    out = io.StringIO()
    handler = configure_logging("json", stream=out)
    app = make_app(tmp_path, SOP_ACCESS_LOG=True)

    @app.get("/test-only/logs-a-line")
    def logs_a_line() -> str:
        logging.getLogger("tests.view").warning("a line from inside the request")
        return "ok"

    try:
        yield app, out
    finally:
        logging.getLogger().removeHandler(handler)
        app.extensions["sop"].close()


def lines(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def test_an_access_line_per_request_as_json(logged: tuple[Flask, io.StringIO]) -> None:
    app, out = logged
    resp = app.test_client().get("/v1/tickets?limit=5", headers=ROOT)

    (line,) = [x for x in lines(out) if x["logger"] == "sop.access"]
    assert line["request_id"] == resp.headers["X-Request-Id"]
    assert line["method"] == "GET"
    assert line["path"] == "/v1/tickets?limit=5"
    assert line["status"] == 200
    assert line["duration_ms"] >= 0
    assert line["remote_addr"] == "127.0.0.1"
    assert line["level"] == "INFO"
    assert line["time"].endswith("+00:00")


def test_every_line_of_a_request_carries_its_id(logged: tuple[Flask, io.StringIO]) -> None:
    app, out = logged
    client = app.test_client()
    first = client.get("/test-only/logs-a-line").headers["X-Request-Id"]
    second = client.get("/test-only/logs-a-line").headers["X-Request-Id"]

    assert first != second
    by_id = {x["request_id"]: [] for x in lines(out)}
    for x in lines(out):
        by_id[x["request_id"]].append(x["logger"])
    assert by_id[first] == ["tests.view", "sop.access"]
    assert by_id[second] == ["tests.view", "sop.access"]
    logging.getLogger("tests.view").warning("outside any request")
    assert lines(out)[-1]["request_id"] is None


def test_a_sane_incoming_request_id_is_kept_and_others_replaced(
    logged: tuple[Flask, io.StringIO],
) -> None:
    app, out = logged
    client = app.test_client()
    given = "lb-7f3a.91:2"
    assert client.get("/v1/health/live", headers={"X-Request-Id": given}).headers[
        "X-Request-Id"
    ] == given  # fmt: skip
    for bad in ("two words", "x" * 129, "<script>", "-starts-with-dash"):
        got = client.get("/v1/health/live", headers={"X-Request-Id": bad}).headers["X-Request-Id"]
        assert got != bad
        assert len(got) == 32
    assert [x["request_id"] for x in lines(out) if x["logger"] == "sop.access"][0] == given


def test_a_token_in_the_query_is_never_written(logged: tuple[Flask, io.StringIO]) -> None:
    app, out = logged
    app.test_client().get("/web/tickets?token=s3cret-value&x=1&access_token=other-secret")

    text = out.getvalue()
    assert "s3cret-value" not in text and "other-secret" not in text
    (line,) = [x for x in lines(out) if x["logger"] == "sop.access"]
    assert line["path"] == "/web/tickets?token=***&x=1&access_token=***"


def test_no_access_lines_unless_asked(tmp_path: Path) -> None:
    out = io.StringIO()
    handler = configure_logging("text", stream=out)
    app = make_app(tmp_path)
    try:
        resp = app.test_client().get("/v1/health/live")
        logging.getLogger("tests.view").warning("after")
        assert "sop.access" not in out.getvalue()
        assert resp.headers["X-Request-Id"]
        assert out.getvalue().rstrip().endswith("tests.view: after")
    finally:
        logging.getLogger().removeHandler(handler)
        app.extensions["sop"].close()


def test_text_lines_name_the_request(tmp_path: Path) -> None:
    out = io.StringIO()
    handler = configure_logging("text", stream=out)
    app = make_app(tmp_path, SOP_ACCESS_LOG=True)
    try:
        rid = app.test_client().get("/v1/health/live").headers["X-Request-Id"]
        (line,) = [x for x in out.getvalue().splitlines() if "sop.access" in x]
        assert 'sop.access: 127.0.0.1 "GET /v1/health/live" 200' in line
        assert line.endswith(f"[request {rid}]")
    finally:
        logging.getLogger().removeHandler(handler)
        app.extensions["sop"].close()


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="json"):
        configure_logging("xml")
