"""The groups of tests that need something outside Python, each with a check and a reason.

    POSTGRESQL, TWO_SERVERS, BROWSER, MERMAID, AXE, PM4PY, WHEEL     the groups (Group)
    group.require()       in a test or fixture: pytest.skip()s with the group's reason
    postgres_answers()    the probe of the local server (127.0.0.1:5432) make test and CI use

`python -m tests.support.groups` prints the plan (which groups run, which are skipped and why);
`make test` prints it before pytest starts. `--env` prints the shell line that points the
PostgreSQL tests at the local server when it answers and SOP_TEST_DATABASE_URL is not set
(make test and .ci/run evaluate it). Checks are cheap and run each time they are asked.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import socket
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pytest

PG_ENV = "SOP_TEST_DATABASE_URL"
LOCAL_PG = ("127.0.0.1", 5432)
LOCAL_PG_URL = "postgresql://127.0.0.1:5432/test"


@dataclass(frozen=True)
class Group:
    name: str
    check: Callable[[], str | None]  # None when available, else why not (one line)

    @property
    def why_not(self) -> str | None:
        return self.check()

    @property
    def available(self) -> bool:
        return self.why_not is None

    def require(self) -> None:
        why = self.why_not
        if why is not None:
            pytest.skip(f"{self.name} skipped: {why}")


def postgres_answers(address: tuple[str, int] | None = None, timeout: float = 2.0) -> bool:
    try:
        with socket.create_connection(address or LOCAL_PG, timeout=timeout):
            return True
    except OSError:
        return False


def _postgresql() -> str | None:
    if os.environ.get(PG_ENV):
        return None
    return f"{PG_ENV} is not set (make test sets it to {LOCAL_PG_URL} when that server answers)"


def _two_servers() -> str | None:
    why = _postgresql()
    return None if why is None else f"needs PostgreSQL: {why}"


def chromium_path() -> Path:
    return Path(os.environ.get("SOP_CHROMIUM", "/usr/bin/chromium"))


def _browser() -> str | None:
    if not chromium_path().exists():
        return f"no Chromium at {chromium_path()} (apt-get install chromium, or set SOP_CHROMIUM)"
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    return None


def _mermaid() -> str | None:
    from api.web.vendor import MERMAID, vendor_dir

    if (vendor_dir() / MERMAID).is_file():
        return None
    return f"no {MERMAID} in {vendor_dir()} (make mermaid fetches it from npm)"


AXE_JS = Path(__file__).resolve().parents[2] / ".cache" / "test-vendor" / "axe.min.js"


def axe_path() -> Path:
    """axe-core's script (tests/support/fetch-axe.sh puts it there; SOP_TEST_VENDOR moves it)."""
    folder = os.environ.get("SOP_TEST_VENDOR")
    return Path(folder) / "axe.min.js" if folder else AXE_JS


def _axe() -> str | None:
    if axe_path().is_file():
        return None
    return f"no axe.min.js at {axe_path()} (make axe fetches axe-core from npm)"


def _pm4py() -> str | None:
    if importlib.util.find_spec("pm4py") is None:
        return "pm4py is not installed (the audit extra: pip install -e '.[audit]')"
    return None


def c_compiler() -> str | None:
    for name in (os.environ.get("CC", ""), "cc", "gcc", "clang"):
        if name and shutil.which(name):
            return name
    return None


def _wheel() -> str | None:
    if os.environ.get("SOP_SKIP_WHEEL") == "1":
        return "SOP_SKIP_WHEEL=1 is set"
    if importlib.util.find_spec("pip") is None:
        return "pip is not installed in this Python (the test builds with `pip wheel`)"
    pip = re.match(r"(\d+)\.(\d+)", version("pip"))
    if pip and tuple(map(int, pip.groups())) < (22, 3):
        return f"pip {version('pip')} cannot install into another venv (--python needs 22.3)"
    if c_compiler() is None:
        return "no C compiler (cc, gcc or clang; durable-rules compiles on install)"
    return None


POSTGRESQL = Group("PostgreSQL store tests", _postgresql)
TWO_SERVERS = Group("two-server test", _two_servers)
BROWSER = Group("browser tests", _browser)
MERMAID = Group("flow diagram (mermaid file)", _mermaid)
AXE = Group("accessibility checks (axe-core file)", _axe)
PM4PY = Group("pm4py audit export", _pm4py)
WHEEL = Group("wheel build test", _wheel)
GROUPS = (POSTGRESQL, TWO_SERVERS, BROWSER, MERMAID, AXE, PM4PY, WHEEL)


def plan() -> str:
    lines = ["test groups:"]
    for group in GROUPS:
        why = group.why_not
        lines.append(f"  run     {group.name}" if why is None else f"  SKIP    {group.name}: {why}")
    return "\n".join(lines)


def env_line() -> str:
    """The shell line that sets the PostgreSQL URL when it is unset and the server answers."""
    if os.environ.get(PG_ENV) or not postgres_answers():
        return ":"
    return f"export {PG_ENV}={shlex.quote(LOCAL_PG_URL)}"


def main(argv: list[str]) -> int:
    print(env_line() if argv[1:] == ["--env"] else plan())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
