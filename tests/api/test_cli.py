"""`sop serve` refuses unsafe dev binds; `sop sweep` applies what is due, for cron."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.cli import main
from tests.api.conftest import make_app, sender
from tests.api.journey import Journey


def test_dev_mode_will_not_bind_beyond_localhost(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--dev", "--host", "0.0.0.0", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "127.0.0.1" in result.output


def test_clock_start_needs_the_manual_clock(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["serve", "--dev", "--clock-start", "2025-01-06T09:00:00+07:00",
               "--data-dir", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 2 and "--clock manual" in result.output


def test_sweep_applies_deadlines_due_at_the_given_time(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    api = Journey(sender(app.test_client(), "root"))
    tid = api.create()["id"]
    app.extensions["sop"].close()

    runner = CliRunner()
    early = runner.invoke(
        main, ["sweep", "--data-dir", str(tmp_path), "--clock-at", "2025-01-06T12:00:00+07:00"]
    )
    assert early.exit_code == 0, early.output
    assert ": 0 deadline event(s) applied" in early.output
    late = runner.invoke(
        main, ["sweep", "--data-dir", str(tmp_path), "--clock-at", "2025-01-08T09:00:00+07:00"]
    )
    assert late.exit_code == 0, late.output
    assert ": 1 deadline event(s) applied" in late.output

    app = make_app(tmp_path)
    api = Journey(sender(app.test_client(), "root"))
    assert [e["event"] for e in api.timeline(tid)] == ["created", "deadline"]
    app.extensions["sop"].close()

    naive = runner.invoke(main, ["sweep", "--data-dir", str(tmp_path), "--clock-at", "2025-01-08"])
    assert naive.exit_code == 2 and "time zone" in naive.output
