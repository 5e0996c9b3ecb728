"""The one lookup of the bundled SOPs (engine/spec/bundled.py), and what `sop list` and
`sop serve` say when no SOP is where they look."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from api.config import settings
from engine.cli import main
from engine.spec import bundled
from tests.support.seed import ROOT


def test_a_checkout_uses_its_own_sop_folder_everywhere() -> None:
    assert bundled.sop_root() == ROOT / "sop"
    assert settings(environ={})["SOP_ROOT"] == str(ROOT / "sop")
    listed = CliRunner().invoke(main, ["list"])
    assert listed.exit_code == 0 and "surabaya-complaints@r1" in listed.output


def test_sop_list_without_sops_asks_for_sop_root(tmp_path: Path) -> None:
    listed = CliRunner().invoke(main, ["list", "--sop-root", str(tmp_path)])
    assert listed.exit_code == 1
    assert f"no SOP revisions under {tmp_path}" in listed.output
    assert "--sop-root" in listed.output


def test_sop_serve_without_sops_asks_for_sop_root(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    cmd = [sys.executable, "-c", "from engine.cli import main; main()", "serve", "--dev",
           "--port", "0", "--data-dir", data, "--sop-root", str(tmp_path)]  # fmt: skip
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "--sop-root" in run.stderr and "Traceback" not in run.stderr
