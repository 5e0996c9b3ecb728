"""An app on a fresh SQLite file with a manual clock and one token per role (tests/api)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from api.auth import hash_token
from tests.api.journey import Journey, Reply
from tests.support.seed import MONDAY

TOKENS = {
    # name: (secret, roles, actors, scope)
    "desk": ("desk-secret", ["operator"], ["staff"], None),
    "bridge": ("bridge-secret", ["service"], ["staff", "reporter"], None),
    "dsdabm": ("dsdabm-secret", ["agency"], ["agency"], {"field": "agency", "value": "DSDABM"}),
    "dinkes": ("dinkes-secret", ["agency"], ["agency"], {"field": "agency", "value": "DINKES"}),
    "audit": ("audit-secret", ["auditor"], [], None),
    "root": ("root-secret", ["admin"], ["*"], None),
}


def token_entries() -> list[dict[str, Any]]:
    out = []
    for name, (secret, roles, actors, scope) in TOKENS.items():
        entry: dict[str, Any] = {
            "name": name,
            "sha256": hash_token(secret),
            "roles": roles,
            "actors": actors,
        }
        if scope:
            entry["scope"] = scope
        out.append(entry)
    return out


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    config = {
        "SOP_DATA_DIR": str(tmp_path),
        "SOP_CLOCK": "manual",
        "SOP_CLOCK_START": MONDAY.isoformat(),
        "SOP_TOKENS": token_entries(),
        **overrides,
    }
    app = create_app(config)
    app.config["TESTING"] = True
    return app


@contextmanager
def app_on(tmp_path: Path, files: Mapping[str, str]) -> Iterator[Flask]:
    """An app over its own SOP root and rules folder, holding `files` (a path under tmp_path,
    `sop/<sop>/<revision>.yaml` or `rules/<rule-set>.yaml`, -> its text)."""
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    app = make_app(tmp_path, SOP_ROOT=str(tmp_path / "sop"), SOP_RULES_DIR=str(tmp_path / "rules"))
    try:
        yield app
    finally:
        app.extensions["sop"].close()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    app.extensions["sop"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def sender(client: FlaskClient, token: str | None) -> Any:
    def send(method: str, path: str, body: Any, headers: Mapping[str, str]) -> Reply:
        hdrs = dict(headers)
        if token is not None:
            hdrs.setdefault("Authorization", f"Bearer {TOKENS[token][0]}")
        resp = client.open(path, method=method, json=body, headers=hdrs)
        return Reply(resp.status_code, resp.get_json(silent=True), resp.headers)

    return send


CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_FIELD.search(html)
    assert found, "the page has no form with a csrf field"
    return found.group(1)


def sign_in(client: FlaskClient, token: str) -> FlaskClient:
    """Sign `client` in to the web pages as a person does: the login form, then its POST."""
    form = client.get("/web/login").get_data(as_text=True)
    resp = client.post("/web/login", data={"token": TOKENS[token][0], "csrf": csrf_of(form)})
    assert resp.status_code == 303, resp.get_data(as_text=True)
    return client


class As:
    """`as_("audit").call("GET", ...)`: the same app, another token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def __call__(self, token: str | None) -> Journey:
        return Journey(sender(self.client, token))


@pytest.fixture
def as_(client: FlaskClient) -> As:
    return As(client)


@pytest.fixture
def desk(as_: As) -> Journey:
    """The admin drives tickets (it may act as any actor); other tokens look."""
    return as_("root")
