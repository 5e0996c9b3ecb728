"""scripts/pick-python, scripts/venv-stamp and scripts/venv with fake interpreters on PATH:
the Python chosen, the one-line refusals, and when .venv is made again from scratch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tooling.fakes import Fakes


@pytest.fixture
def fakes(tmp_path: Path) -> Fakes:
    return Fakes(tmp_path)


def test_python3_is_used_when_it_is_supported(fakes: Fakes) -> None:
    fakes.python("python3", "3.12.4")
    fakes.python("python3.11", "3.11.9")
    assert fakes.run("pick-python").stdout == "python3\n"


def test_a_python3_of_3_13_is_passed_over_for_3_12_then_3_11(fakes: Fakes) -> None:
    fakes.python("python3", "3.13.1")
    fakes.python("python3.11", "3.11.9")
    assert fakes.run("pick-python").stdout == "python3.11\n"
    fakes.python("python3.12", "3.12.4")
    assert fakes.run("pick-python").stdout == "python3.12\n"


def test_none_supported_says_which_versions_and_why_in_one_line(fakes: Fakes) -> None:
    fakes.python("python3", "3.13.1")
    done = fakes.run("pick-python")
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "need Python 3.12 or 3.11" in done.stderr
    assert "durable-rules does not build on 3.13" in done.stderr
    assert "python3 is 3.13" in done.stderr


def test_py_is_taken_when_supported_and_refused_otherwise(fakes: Fakes) -> None:
    fakes.python("python3", "3.12.4")
    fakes.python("python3.13", "3.13.1")
    fakes.python("python3.11", "3.11.9")
    assert fakes.run("pick-python", PY="python3.11").stdout == "python3.11\n"
    refused = fakes.run("pick-python", PY="python3.13")
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr == (
        "PY=python3.13 is Python 3.13; use 3.12 or 3.11 (durable-rules does not build on 3.13)\n"
    )
    missing = fakes.run("pick-python", PY="python3.10")
    assert missing.returncode == 1 and "no such interpreter" in missing.stderr


def test_the_stamp_changes_with_the_python_the_project_and_the_extras(fakes: Fakes) -> None:
    fakes.python("python3.12", "3.12.4")
    fakes.python("python3.11", "3.11.9")

    def stamp(py: str, extras: str = "dev") -> str:
        done = fakes.run("venv-stamp", py, extras)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = stamp("python3.12")
    assert stamp("python3.12") == first
    assert stamp("python3.11") != first
    assert stamp("python3.12", "serve") != first
    fakes.python("python3.12", "3.12.5")  # an upgraded interpreter at the same path
    upgraded = stamp("python3.12")
    assert upgraded != first
    (fakes.repo / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "2"\n')
    assert stamp("python3.12") != upgraded


def test_a_venv_of_another_python_is_made_again_from_scratch(fakes: Fakes) -> None:
    fakes.python("python3", "3.13.1")
    fakes.python("python3.13", "3.13.1")
    fakes.python("python3.12", "3.12.4")
    fakes.python("python3.11", "3.11.9")

    refused = fakes.run("venv", ".venv", "dev", PY="python3.13")
    assert refused.returncode == 1 and "3.13" in refused.stderr
    assert not (fakes.repo / ".venv").exists()

    made = fakes.run("venv", ".venv", "dev", PY="python3.11")
    assert made.returncode == 0, made.stderr
    assert fakes.calls() == [
        "python3.11 -m venv .venv",
        "pip install -q --upgrade pip",
        "pip install -q -e .[dev]",
    ]
    (fakes.repo / ".venv" / "left-by-3.11").touch()

    again = fakes.run("venv", ".venv", "dev", PY="python3.12")
    assert "made by another Python or pyproject.toml: making it again" in again.stdout
    assert fakes.calls()[0] == "python3.12 -m venv .venv"
    assert not (fakes.repo / ".venv" / "left-by-3.11").exists()


def test_an_unchanged_venv_is_kept_and_extras_are_added_to_it(fakes: Fakes) -> None:
    fakes.python("python3", "3.12.4")
    assert fakes.run("venv", ".venv", "serve").returncode == 0
    fakes.calls()
    assert fakes.run("venv", ".venv", "serve").stdout == ""
    assert fakes.calls() == []
    assert fakes.run("venv", ".venv", "dev,audit").returncode == 0
    assert fakes.calls() == ["pip install -q -e .[dev,audit]"]
    (fakes.repo / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "2"\n')
    assert "making it again" in fakes.run("venv", ".venv", "serve").stdout
    assert fakes.calls()[0] == "python3 -m venv .venv"
