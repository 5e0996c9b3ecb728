"""tests/support/groups.py: the plan printed before the tests, the skips with their reasons,
and the probe that points the PostgreSQL tests at the local server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.support import groups
from tests.support.seed import ROOT


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_plan_names_every_group_and_why_one_is_skipped() -> None:
    done = run("-m", "tests.support.groups", SOP_SKIP_WHEEL="1", SOP_CHROMIUM="/nowhere/chromium")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "test groups:"
    assert len(lines) == 1 + len(groups.GROUPS)
    assert "  SKIP    wheel build test: SOP_SKIP_WHEEL=1 is set" in lines
    assert "  SKIP    browser tests: no Chromium at /nowhere/chromium" in done.stdout


def test_require_skips_with_the_group_s_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOP_SKIP_WHEEL", "1")
    with pytest.raises(pytest.skip.Exception, match="wheel build test skipped: SOP_SKIP_WHEEL=1"):
        groups.WHEEL.require()
    monkeypatch.delenv("SOP_SKIP_WHEEL")
    monkeypatch.setattr(groups.shutil, "which", lambda name: None)
    assert groups.WHEEL.why_not is not None and "no C compiler" in groups.WHEEL.why_not


def test_the_two_server_test_follows_the_postgresql_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(groups.PG_ENV, raising=False)
    assert not groups.TWO_SERVERS.available
    with pytest.raises(pytest.skip.Exception, match="two-server test skipped: needs PostgreSQL"):
        groups.TWO_SERVERS.require()
    monkeypatch.setenv(groups.PG_ENV, groups.LOCAL_PG_URL)
    assert groups.TWO_SERVERS.available and groups.POSTGRESQL.available
    groups.TWO_SERVERS.require()


def test_the_url_is_exported_only_when_unset_and_a_server_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(groups.PG_ENV, raising=False)
    with socket.create_server(("127.0.0.1", 0)) as listening:
        monkeypatch.setattr(groups, "LOCAL_PG", listening.getsockname()[:2])
        assert groups.env_line() == f"export {groups.PG_ENV}={groups.LOCAL_PG_URL}"
        monkeypatch.setenv(groups.PG_ENV, "postgresql://elsewhere/db")
        assert groups.env_line() == ":"
    monkeypatch.delenv(groups.PG_ENV)
    assert groups.env_line() == ":"  # the listening socket is closed: nothing answers


def test_the_browser_folder_skips_cleanly_without_chromium() -> None:
    done = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/browser",
               SOP_CHROMIUM="/nowhere/chromium")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "skipped" in done.stdout and "passed" not in done.stdout
    assert "browser tests skipped: no Chromium at /nowhere/chromium" in done.stdout
