"""Fake interpreters for the set-up scripts' tests: small shell scripts on an isolated PATH.

    Fakes(tmp).python("python3", "3.13.1")   a `python3` answering as 3.13.1
    fakes.run("pick-python", PY=...)         a script of scripts/, with only the fakes on PATH
    fakes.calls()                            what the fakes were asked to do (venv, pip install)

A fake answers `--version`, the scripts' `-c` probes by the version it was given, and
`-m venv DIR` by making DIR/bin/pip, itself a fake that logs its arguments.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.support.seed import ROOT

TOOLS = ("dirname", "cat", "cksum", "cut", "rm", "mkdir", "chmod")

FAKE = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
case "$1" in
--version) echo "Python {version}"; exit 0 ;;
-c) case "$2" in
    *realpath*) echo "{path} {version}" ;;
    *sys.exit*) case "{version}" in 3.11.*|3.12.*) exit 0 ;; *) exit 1 ;; esac ;;
    *) echo "{short}" ;;
    esac ;;
-m) mkdir -p "$3/bin"
    printf '#!/bin/sh\\necho "pip $*" >> "{log}"\\n' > "$3/bin/pip"
    chmod +x "$3/bin/pip" ;;
esac
"""


class Fakes:
    def __init__(self, tmp: Path) -> None:
        self.repo, self.bin, self.log = tmp / "repo", tmp / "bin", tmp / "calls.log"
        shutil.copytree(ROOT / "scripts", self.repo / "scripts")
        (self.repo / "pyproject.toml").write_text('[project]\nname = "x"\n')
        self.bin.mkdir()
        for tool in (*TOOLS, "basename"):
            found = shutil.which(tool)
            assert found, tool
            (self.bin / tool).symlink_to(found)
        self.log.touch()

    def python(self, name: str, version: str) -> Path:
        path = self.bin / name
        short = ".".join(version.split(".")[:2])
        path.write_text(FAKE.format(log=self.log, version=version, short=short, path=path))
        path.chmod(0o755)
        return path

    def run(self, script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.repo / "scripts" / script), *args],
            cwd=self.repo,
            env={"PATH": str(self.bin), "HOME": os.environ.get("HOME", "/"), **env},
            capture_output=True,
            text=True,
            timeout=30,
        )

    def calls(self) -> list[str]:
        lines = self.log.read_text().splitlines()
        self.log.write_text("")
        return [line for line in lines if " -c " not in line and "--version" not in line]
