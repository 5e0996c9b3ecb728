"""Shared by the explorer's tests: where its fixtures live, and one call that explores a file."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from engine.authoring.explore import Exploration, Finding, explore, findings
from engine.cli import main
from engine.core import compile_revision
from engine.spec.build import build_ruleset, build_spec
from engine.spec.load import load_revision
from engine.spec.model import Spec
from engine.spec.validate import check_revision_file
from tests.support.seed import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "explore"
SEED = ROOT / "sop" / "surabaya-complaints" / "r1.yaml"
PRE_FIX_SEED = FIXTURES / "sop" / "surabaya-complaints" / "r1.yaml"


def explored(spec_or_path: Spec | Path) -> tuple[Exploration, list[Finding]]:
    spec = spec_or_path if isinstance(spec_or_path, Spec) else load_revision(spec_or_path)
    exploration = explore(compile_revision(spec))
    return exploration, findings(exploration)


def unchecked(path: Path) -> Spec:
    """The revision as written, built past the validator's verdict: the pre-fix seed is meant
    to be refused by a static path check too, and this explorer must find its stuck ticket
    whether or not validation lets the file through."""
    checked = check_revision_file(path)
    assert checked.data is not None, checked.problems
    rulesets = tuple(build_ruleset(r.data) for r in checked.rules)
    return build_spec(checked.data, rulesets, "unchecked", str(path))


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output
