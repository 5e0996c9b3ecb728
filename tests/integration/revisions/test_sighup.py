"""`sop serve` reloads the SOP folder on SIGHUP: a new revision appears; an invalid file is
refused (logged) and the server keeps serving what it had."""

from __future__ import annotations

import signal
import time

import pytest

from tests.e2e.conftest import Server
from tests.integration.revisions.conftest import MONDAY_2026, SOP


@pytest.fixture
def server(tree, tmp_path):
    srv = Server(
        tmp_path / "data",
        tmp_path / "server.log",
        args=["--sop-root", str(tree.sop_root), "--rules-dir", str(tree.rules_dir)],
    )
    srv.start(clock_start=MONDAY_2026.isoformat())
    yield srv
    srv.stop()


def _revisions(server: Server) -> list[str]:
    body = server.journey().call("GET", f"/v1/sops/{SOP}").body
    return [r["revision"] for r in body["revisions"]]


def _hup_and_wait(server: Server, done, timeout: float = 15.0) -> None:
    assert server.proc is not None
    server.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(0.1)
    raise AssertionError(f"no reload within {timeout}s:\n{server.tail()}")


def test_sighup_adds_a_new_revision_and_refuses_an_invalid_one(tree, server):
    assert _revisions(server) == ["r1"]
    tree.add_r2()
    _hup_and_wait(server, lambda: _revisions(server) == ["r1", "r2"])
    assert server.journey().create()["revision"] == "r2"

    broken = tree.add_revision_copy(3)
    broken.write_text(broken.read_text(encoding="utf-8").replace("start: ", "start: nowhere_"))
    _hup_and_wait(server, lambda: "reload refused" in server.tail(200))
    assert "r3.yaml" in server.tail(200)
    assert _revisions(server) == ["r1", "r2"]
    assert server.journey().create()["revision"] == "r2"
