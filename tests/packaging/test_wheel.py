"""The wheel, installed as a deployment installs it: built from a copy of the checkout,
installed non-editable into a fresh venv, its `sop` script run from another folder.

The venv gets only the wheel (`--no-deps --no-index`); the dependencies are reached through a
.pth line naming the running environment's site-packages. A plain path line does not run that
environment's own .pth files, so its editable install of this checkout stays out, and the
test checks that `engine` is imported from the venv. Building and installing take about 3 s
here (pip reuses the build backend from its cache), the whole module about 10 s.

Skipped, saying why, where no wheel can be built: no pip, or no setuptools/wheel for the
isolated build (no package index reachable).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import free_port, http
from tests.support import groups
from tests.support.seed import ROOT

pytestmark = pytest.mark.wheel

START_TIMEOUT = 30.0
BUILD_TIMEOUT = 300
# Left out of the copy the wheel is built from: local environments, data and build output at
# the top; caches anywhere.
TOP_LEVEL_ONLY = {".git", ".venv", "venv", "data", "build", "dist", ".cache", "test-output"}
ANYWHERE = shutil.ignore_patterns(
    "__pycache__", "*.egg-info", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".hypothesis",
    "node_modules",
)  # fmt: skip
# A stand-in for `make mermaid`'s download: the wheel must carry what was fetched.
MERMAID_STAND_IN = "/* mermaid stand-in for the wheel test */\n"
NO_BACKEND = ("No matching distribution found", "Could not find a version that satisfies")


def _run(cmd: list[str], cwd: Path, timeout: float = BUILD_TIMEOUT) -> subprocess.CompletedProcess:
    env = _clean_env()
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _not_sources(folder: str, names: list[str]) -> set[str]:
    top = TOP_LEVEL_ONLY & set(names) if Path(folder) == ROOT else set()
    return top | set(ANYWHERE(folder, names))


def _clean_env() -> dict[str, str]:
    """The environment a service account has: none of this checkout's paths or settings."""
    drop = ("PYTHONPATH", "DATABASE_URL", "VIRTUAL_ENV", "PYTHONHOME")
    return {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("SOP_")}


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its bin/ folder."""
    groups.WHEEL.require()
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    shutil.copytree(ROOT, src, ignore=_not_sources)
    vendor = src / ".cache" / "web-vendor"
    vendor.mkdir(parents=True)
    (vendor / "mermaid.min.js").write_text(MERMAID_STAND_IN)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(base), "."], src)
    if built.returncode != 0 and any(s in built.stdout + built.stderr for s in NO_BACKEND):
        pytest.skip("wheel: the build backend (setuptools, wheel) cannot be installed: no index")
    assert built.returncode == 0, built.stdout + built.stderr
    (wheel,) = base.glob("sop_engine-*.whl")
    env = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    py = env / "bin" / "python"
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index",
         str(wheel)], base,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    site = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], base)
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (Path(site.stdout.strip()) / "_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    return env / "bin"


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A working folder with no SOP, rules or source in it."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def served(venv: Path, elsewhere: Path) -> Iterator[str]:
    port = free_port()
    log_path = elsewhere / "server.log"
    cmd = [str(venv / "sop"), "serve", "--dev", "--port", str(port), "--data-dir", "data"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=elsewhere, stdout=log, stderr=subprocess.STDOUT, env=_clean_env()
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            assert proc.poll() is None, f"sop serve exited:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"no answer:\n{log_path.read_text()}"
            try:
                if http(base, "GET", "/v1/health/ready", None, {}).status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(15)


def test_the_installed_package_is_the_one_imported(venv: Path, elsewhere: Path) -> None:
    where = _run([str(venv / "python"), "-c", "import engine; print(engine.__file__)"], elsewhere)
    assert Path(where.stdout.strip()).is_relative_to(venv.parent), where.stdout + where.stderr


def test_sop_list_finds_the_bundled_sop_from_another_folder(venv: Path, elsewhere: Path) -> None:
    listed = _run([str(venv / "sop"), "list", "--format", "json"], elsewhere)
    assert listed.returncode == 0, listed.stderr
    assert "surabaya-complaints" in listed.stdout
    tested = _run([str(venv / "sop"), "test", "surabaya-complaints"], elsewhere)
    assert tested.returncode == 0, tested.stdout + tested.stderr  # its scenarios came too


def test_served_from_the_wheel_api_and_pages(served: str) -> None:
    ready = http(served, "GET", "/v1/health/ready", None, {})
    assert ready.status == 200 and ready.body["checks"]["migrations"]["ok"], ready.body
    sops = http(served, "GET", "/v1/sops", None, {})
    assert sops.status == 200
    assert [s["id"] for s in sops.body["items"]] == ["surabaya-complaints"]
    page = http(served, "GET", "/web/sops/surabaya-complaints/r1", None, {})
    assert page.status == 200, page.body
    assert "061.1/Dinkominfo/KP/10175" in page.body  # the form, from the bundled SOP
    css = re.search(r'<link rel="stylesheet" href="([^"]+)"', page.body)
    assert css, page.body
    sheet = http(served, "GET", css.group(1), None, {})
    assert sheet.status == 200 and "text/css" in sheet.headers["Content-Type"]
    assert "mermaid.min.js" in page.body  # the diagram script, fetched before the build
    mermaid = http(served, "GET", "/web/vendor/mermaid.min.js", None, {})
    assert mermaid.status == 200 and mermaid.body == MERMAID_STAND_IN
