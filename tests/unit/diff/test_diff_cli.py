"""`sop diff`: SOP@REV or a revision file's path on either side; text, Markdown or JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from engine.cli import main
from tests.support.seed import ROOT

R2_PATH = "tests/revisions/sop/surabaya-complaints/r2.yaml"


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)

    def invoke(*args: str):
        return CliRunner().invoke(main, ["diff", *args])

    return invoke


def test_a_revision_against_a_file_outside_the_root(run):
    result = run("surabaya-complaints@r1", R2_PATH)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("surabaya-complaints@r1 -> surabaya-complaints@r2\n")
    assert "11 change(s)" in out
    assert "~ time limit: 3 working days -> 2 working days, tighter" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_json_for_tools(run):
    result = run("surabaya-complaints@r1", R2_PATH, "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert len(doc["changes"]) == 11
    assert {c["subject"] for c in doc["changes"] if c["section"] == "steps"} == {
        "follow_up",
        "validate",
        "weekly_overdue_review",
    }


def test_markdown_and_no_changes_still_exit_zero(run):
    result = run("surabaya-complaints", "surabaya-complaints@r1", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# SOP diff: surabaya-complaints@r1 → surabaya-complaints@r1")
    assert "**No changes.**" in result.output


def test_an_unknown_revision_is_a_usage_error_with_the_known_ones(run):
    result = run("surabaya-complaints@r3", R2_PATH)
    assert result.exit_code == 2
    assert "has no revision 'r3'" in result.output and "r1" in result.output
    result = run("surabaya-complaint@r1", R2_PATH)
    assert result.exit_code == 2
    assert "surabaya-complaints" in result.output  # did you mean


def test_an_invalid_revision_file_prints_its_problems(run):
    path = "tests/fixtures/broken/sop/bad-duration/r1.yaml"
    result = run("surabaya-complaints@r1", path)
    assert result.exit_code == 1
    assert "bad-duration/r1.yaml:" in result.output
    assert "not a valid revision" in result.output
