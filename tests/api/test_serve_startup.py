"""`sop serve` (and gunicorn on `api.wsgi`) on a data folder it cannot use stops at once with
one line on stderr naming the path and what to fix (no traceback), as a user file permissions
apply to."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.store import Store
from engine.store.database import sqlite_url
from tests.support.unprivileged import Run, Unprivileged, unprivileged_user

unprivileged = pytest.fixture(name="unprivileged")(unprivileged_user)


def serve(unprivileged: Unprivileged, data_dir: Path) -> Run:
    return unprivileged.sop("serve", "--dev", "--port", "0", "--data-dir", str(data_dir))


def assert_one_line(run: Run, *parts: str) -> str:
    assert run.code == 1, run
    assert "Traceback" not in run.stderr
    (line,) = run.stderr_lines
    assert line.startswith("Error: ")
    for part in parts:
        assert part in line, line
    return line


def test_a_read_only_data_folder_is_named_with_what_to_fix(unprivileged: Unprivileged) -> None:
    data = unprivileged.folder("data")
    data.chmod(0o555)
    line = assert_one_line(serve(unprivileged, data), str(data), "not writable by")
    assert "chown or chmod" in line
    assert list(data.iterdir()) == []


def test_a_database_the_user_may_not_write_is_named(unprivileged: Unprivileged) -> None:
    data = unprivileged.folder("data")
    Store.open(sqlite_url(data / "sop.db")).close()  # made by another user (here: root)
    (data / "sop.db").chmod(0o644)
    data.chmod(0o777)  # the folder is writable: only the file is not
    if unprivileged.user is None:  # not root: the file is this user's own; take its write bit
        (data / "sop.db").chmod(0o444)
    assert_one_line(
        serve(unprivileged, data), str(data / "sop.db"), "is not readable and writable by"
    )


def test_a_data_folder_that_cannot_be_created_says_where_and_why(
    unprivileged: Unprivileged,
) -> None:
    parent = unprivileged.folder("locked")
    parent.chmod(0o555)
    data = parent / "data"
    assert_one_line(
        serve(unprivileged, data),
        f"cannot create the data folder {data}: Permission denied",
        "create it, writable by the user running the server",
    )
    assert not data.exists()


def test_a_data_folder_that_lost_its_database_is_refused(
    unprivileged: Unprivileged,
) -> None:
    data = unprivileged.folder("data")
    Store.open(sqlite_url(data / "sop.db")).close()
    (data / "sop.db").unlink()
    data.chmod(0o777)
    assert_one_line(
        serve(unprivileged, data),
        f"the data folder {data} held a store but its database sop.db is gone",
        "restore it from a backup",
        "--init",
    )
    assert not (data / "sop.db").exists()  # nothing made in its place


def test_an_unreachable_database_server_is_named_in_one_line() -> None:
    url = "postgresql://127.0.0.1:1/sop"  # nothing listens on port 1
    result = CliRunner().invoke(main, ["serve", "--dev", "--port", "0", "--database-url", url])
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: cannot open the store at {url}: ")


def test_gunicorn_on_a_read_only_data_folder_halts_with_the_line(
    unprivileged: Unprivileged,
) -> None:
    data = unprivileged.folder("data")
    data.chmod(0o555)
    tokens = unprivileged.base / "tokens.yaml"
    tokens.write_text("tokens: []\n")
    tokens.chmod(0o644)
    run = unprivileged.python(
        "-m", "gunicorn", "-w", "1", "-b", "127.0.0.1:0", "api.wsgi:app",
        env={"SOP_DATA_DIR": str(data), "SOP_TOKENS_FILE": str(tokens)},
    )  # fmt: skip
    assert run.code == 3, run  # gunicorn's "worker failed to boot": it stops, not respawns
    assert "Traceback" not in run.stderr
    assert f"sop: cannot start: the data folder {data} is not writable by" in run.stderr
