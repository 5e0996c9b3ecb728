"""The gunicorn entry builds the app from the environment, with authentication always on."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

import pytest

from api.auth import hash_token


def _load_wsgi():  # noqa: ANN202
    sys.modules.pop("api.wsgi", None)
    return importlib.import_module("api.wsgi")


def test_wsgi_app_reads_the_environment_and_requires_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        f"tokens:\n  - {{name: ops, sha256: {hash_token('t0k')}, roles: [auditor]}}\n"
    )
    monkeypatch.setenv("SOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOP_TOKENS_FILE", str(tokens))
    monkeypatch.setenv("SOP_BACKGROUND", "0")
    monkeypatch.delenv("DATABASE_URL", raising=False)
    wsgi = _load_wsgi()
    try:
        client = wsgi.app.test_client()
        assert client.get("/v1/sops").status_code == 401
        ok = client.get("/v1/sops", headers={"Authorization": "Bearer t0k"})
        assert ok.status_code == 200
        assert (tmp_path / "data" / "sop.db").exists()
        assert wsgi.app.extensions["sop"].workers is None  # SOP_BACKGROUND=0
    finally:
        wsgi.app.extensions["sop"].close()
        sys.modules.pop("api.wsgi", None)

    monkeypatch.delenv("SOP_TOKENS_FILE")
    with pytest.raises(SystemExit) as stopped:  # gunicorn's "worker failed to boot"
        _load_wsgi()
    sys.modules.pop("api.wsgi", None)
    assert stopped.value.code == 3
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("sop: cannot start: no API tokens configured")


def test_wsgi_workers_place_the_background_work_by_the_lock_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("tokens: []\n")
    monkeypatch.setenv("SOP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOP_TOKENS_FILE", str(tokens))
    monkeypatch.delenv("SOP_BACKGROUND", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    wsgi = _load_wsgi()
    runtime = wsgi.app.extensions["sop"]
    try:
        deadline = time.monotonic() + 5
        while runtime.workers is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert wsgi.placement.leader  # alone: it holds the lock and runs them
        assert runtime.sweeper() is not None and runtime.sweeper().running
        assert (tmp_path / "data" / ".sop.background.lock").exists()
    finally:
        wsgi.placement.end(1.0)
        runtime.close()
        sys.modules.pop("api.wsgi", None)
    assert runtime.workers is None
