"""`sop serve` refuses unsafe dev binds and bad web settings; `sop sweep` applies what is due."""

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


def test_serve_refuses_a_bad_proxy_count_or_an_unkeepable_session_key(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("tokens: []\n", encoding="utf-8")
    base = ["serve", "--tokens", str(tokens)]
    proxies = CliRunner().invoke(
        main, [*base, "--trusted-proxies", "9", "--data-dir", str(tmp_path / "d")]
    )
    assert proxies.exit_code == 1
    assert "SOP_TRUSTED_PROXIES must be a number of proxies from 0 to 5, not 9" in proxies.output
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "web-session.key").mkdir()  # a key file that cannot be read
    keyless = CliRunner().invoke(main, [*base, "--data-dir", str(tmp_path / "ro")])
    assert keyless.exit_code == 1 and "Traceback" not in keyless.output
    assert "cannot keep the web session key" in keyless.output
    assert "set SOP_WEB_SESSION_KEY" in keyless.output


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
