"""`sop user add|list|disable|reset-password`, as an administrator on the host runs them."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from engine.app.accounts import Accounts
from engine.cli import main
from engine.core.clock import SystemClock
from engine.store import Store
from engine.store.database import sqlite_url


def sop(data_dir: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--data-dir", str(data_dir)], input=stdin)
    return result.exit_code, result.output


def signs_in(data_dir: Path, login: str, password: str) -> bool:
    store = Store.open(sqlite_url(data_dir / "sop.db"))
    try:
        return Accounts(store, SystemClock(), roles=["agency"]).sign_in(login, password) is not None
    finally:
        store.close()


def test_an_account_is_added_with_a_prompted_password_and_listed(tmp_path: Path) -> None:
    code, out = sop(
        tmp_path,
        *("user", "add", "siti", "--name", "Siti Aminah", "--role", "agency"),
        *("--actor", "unit", "--scope", "unit_code=A1"),
        stdin="kata-sandi-siti-1\nkata-sandi-siti-1\n",
    )
    assert code == 0, out
    assert "kata-sandi-siti-1" not in out  # the prompt does not echo it
    code, out = sop(tmp_path, "user", "list", "--format", "json")
    assert code == 0, out
    assert json.loads(out) == [
        {
            "login": "siti",
            "display_name": "Siti Aminah",
            "roles": ["agency"],
            "actors": ["unit"],
            "scope": "unit_code=A1",
            "state": "active",
            "created": json.loads(out)[0]["created"],
        }
    ]
    assert signs_in(tmp_path, "siti", "kata-sandi-siti-1")


def test_the_password_is_never_an_argument(tmp_path: Path) -> None:
    code, out = sop(
        tmp_path, "user", "add", "siti", "--name", "Siti", "--role", "agency", "--password", "x"
    )
    assert code == 2 and "No such option '--password'" in out


def test_a_bad_account_is_refused_in_a_line_and_nothing_is_added(tmp_path: Path) -> None:
    code, out = sop(
        tmp_path,
        *("user", "add", "siti", "--name", "Siti", "--role", "boss", "--password-stdin"),
        stdin="kata-sandi-siti-1\n",
    )
    assert code == 1 and "unknown: boss" in out
    code, out = sop(
        tmp_path,
        *("user", "add", "siti", "--name", "Siti", "--role", "agency", "--password-stdin"),
        stdin="pendek\n",
    )
    assert code == 1 and "10 to 1024 characters" in out
    assert sop(tmp_path, "user", "list")[1].strip() == "no accounts"


def test_disable_and_reset_password(tmp_path: Path) -> None:
    add = ("user", "add", "budi", "--name", "Budi", "--role", "agency", "--password-stdin")
    assert sop(tmp_path, *add, stdin="kata-sandi-budi-1\n")[0] == 0
    code, out = sop(
        tmp_path, "user", "reset-password", "budi", "--password-stdin", stdin="kata-sandi-baru-22\n"
    )
    assert code == 0, out
    assert not signs_in(tmp_path, "budi", "kata-sandi-budi-1")
    assert signs_in(tmp_path, "budi", "kata-sandi-baru-22")
    assert sop(tmp_path, "user", "disable", "budi")[0] == 0
    assert not signs_in(tmp_path, "budi", "kata-sandi-baru-22")
    assert "disabled" in sop(tmp_path, "user", "list")[1]
    assert sop(tmp_path, "user", "enable", "budi") == (0, "enabled budi\n")
    assert signs_in(tmp_path, "budi", "kata-sandi-baru-22")
    code, out = sop(tmp_path, "user", "disable", "nobody")
    assert code == 1 and "no account 'nobody'" in out
