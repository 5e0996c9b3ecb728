"""Run a `sop` command as a user file permissions apply to, in folders that user can reach.

Root reads and writes any file whatever its mode, so a read-only or wrong-permission data
folder tested as root proves nothing. As root, the command runs as `nobody` through
util-linux's `setpriv`; as any other user, as that user. Without `setpriv` (or when `nobody`
cannot run this checkout's Python), the tests that need it skip, saying so.

    unprivileged = pytest.fixture(name="unprivileged")(unprivileged_user)

    def test_x(unprivileged: Unprivileged) -> None:
        folder = unprivileged.folder("data")          # under /tmp, reachable by that user
        run = unprivileged.sop("serve", "--data-dir", str(folder))
        assert run.code == 1 and run.stderr_lines == [...]
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.support.seed import ROOT

NOBODY = 65534


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return self.stderr.splitlines()


def _prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return []
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


@cache
def _why_not() -> str | None:
    """None when commands can run without root's rights; otherwise why not."""
    prefix = _prefix()
    if os.geteuid() == 0 and not prefix:
        return "running as root without util-linux setpriv: file permissions cannot be tested"
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import engine.cli"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        return f"the unprivileged user cannot run this checkout: {probe.stderr.strip()[-200:]}"
    return None


class Unprivileged:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.user = "nobody" if os.geteuid() == 0 else None

    def folder(self, name: str) -> Path:
        path = self.base / name
        path.mkdir(parents=True)
        path.chmod(0o755)
        return path

    def sop(self, *args: str, timeout: float = 60) -> Run:
        """`sop ARGS` as the unprivileged user (a server that starts anyway is stopped at
        `timeout` and reported as exit code -1)."""
        return self.python("-c", "from engine.cli import main; main()", *args, timeout=timeout)

    def python(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Run:
        """This checkout's Python with ARGS, as the unprivileged user, in the repository."""
        cmd = [*_prefix(), sys.executable, *args]
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SOP_INIT")},
            "HOME": str(self.base),
            **(env or {}),
        }
        try:
            done = subprocess.run(
                cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
            err = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
            return Run(-1, out, err)
        return Run(done.returncode, done.stdout, done.stderr)


def _writable(path: Path) -> None:
    """Give every folder under `path` back its write bit, so it can be removed."""
    for folder, dirs, _files in os.walk(path):
        for name in dirs:
            sub = Path(folder) / name
            sub.chmod(sub.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)


def unprivileged_user() -> Iterator[Unprivileged]:
    """The body of a test module's `unprivileged` fixture:
    `unprivileged = pytest.fixture(name="unprivileged")(unprivileged_user)`."""
    why = _why_not()
    if why is not None:
        pytest.skip(why)
    base = Path(tempfile.mkdtemp(prefix="sop-perm-"))
    base.chmod(0o755)  # pytest's own tmp_path is private to its user
    yield Unprivileged(base)
    base.chmod(0o755)
    _writable(base)
    shutil.rmtree(base)
