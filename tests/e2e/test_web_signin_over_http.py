"""Signing in to the pages of a real `sop serve --tokens ... --access-log`: the access log never
holds a secret, and the session cookie travels only as the browser should carry it."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from api.auth import hash_token
from tests.e2e.conftest import Server

SECRET = "e2e-desk-secret-0123456789"


def tokens_file(path: Path) -> Path:
    path.write_text(
        "tokens:\n"
        f"  - {{name: desk, sha256: {hash_token(SECRET)}, roles: [operator], actors: [staff]}}\n",
        encoding="utf-8",
    )
    return path


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


@pytest.fixture
def server(tmp_path: Path) -> Server:
    args = ["--tokens", str(tokens_file(tmp_path / "tokens.yaml")), "--access-log"]
    srv = Server(tmp_path / "data", tmp_path / "server.log", args, dev=False)
    srv.start()
    yield srv
    srv.stop()


def test_a_token_in_an_address_never_reaches_the_access_log(server: Server) -> None:
    opener = urllib.request.build_opener(NoRedirect)
    for path in (f"/web/tickets?overdue=yes&token={SECRET}", f"/v1/tickets?token={SECRET}"):
        try:
            opener.open(server.base + path, timeout=10)
        except urllib.error.HTTPError as exc:  # 303 to the address without it, 401 on /v1
            assert exc.code in (302, 303, 401)
            assert SECRET not in (exc.headers.get("Location") or "")
    server.stop()
    log = server.log_path.read_text(errors="replace")
    assert "GET /web/tickets?overdue=yes&token=***" in log  # the request is logged
    assert SECRET not in log
