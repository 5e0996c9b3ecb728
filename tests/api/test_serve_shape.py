"""How many gunicorn workers and threads `sop serve` asks for, from its flags: checked by
capturing what it hands gunicorn instead of starting it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from api.auth import hash_token
from engine.cli import gunicorn_app, main


@pytest.fixture
def shape(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    asked: dict[str, Any] = {}

    class Captured:
        def __init__(self, cfg: dict[str, Any], fd: int, **kwargs: Any) -> None:
            asked.update(kwargs)

        def run(self) -> None:
            return None

    monkeypatch.setattr(gunicorn_app, "SopGunicorn", Captured)
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield asked
    root.handlers[:] = handlers  # serve points the log at the runner's stderr, closed by now
    root.setLevel(level)


def serve(tmp_path: Path, *flags: str) -> str:
    tokens = tmp_path / "tokens.yaml"
    entry = {"name": "ops", "sha256": hash_token("s" * 32), "roles": ["admin"]}
    tokens.write_text(yaml.safe_dump({"tokens": [entry]}))
    args = ["serve", "--port", "0", "--data-dir", str(tmp_path / "data"), "--tokens", str(tokens)]
    result = CliRunner().invoke(main, [*args, *flags])
    assert result.exit_code == 0, result.output
    return result.output


def test_workers_and_threads_are_what_the_flags_say(tmp_path: Path, shape: dict) -> None:
    out = serve(tmp_path, "--workers", "2", "--threads", "3")
    assert (shape["workers"], shape["threads"]) == (2, 3)
    assert "2 worker(s) x 3 thread(s)" in out


def test_no_threads_of_earlier_versions_still_means_one_request_at_a_time(
    tmp_path: Path, shape: dict
) -> None:
    serve(tmp_path, "--workers", "2", "--no-threads")
    assert shape["threads"] == 1


def test_a_manual_clock_runs_one_worker_whatever_is_asked(tmp_path: Path, shape: dict) -> None:
    out = serve(tmp_path, "--workers", "3", "--clock", "manual")
    assert shape["workers"] == 1
    assert "the clock is per process: 1 worker, not 3" in out
