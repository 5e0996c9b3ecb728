"""`sop schema`: the JSON Schema an author's editor checks SOP files with, generated from the
validator's own structure checks. It accepts every valid file and refuses structural mistakes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from jsonschema import Draft202012Validator, FormatChecker

from engine.cli import main
from engine.spec.json_schema import json_schema
from tests.support.seed import ROOT

BROKEN = ROOT / "tests/fixtures/broken"
SOP_ROOTS = [ROOT, ROOT / "tests/sops", ROOT / "tests/revisions"]
REVISIONS = sorted(p for r in SOP_ROOTS for p in (r / "sop").glob("*/*.yaml"))
RULES = sorted(p for r in SOP_ROOTS for p in (r / "rules").glob("*.yaml"))
# Mistakes of structure (keys, types, ids, required keys): what an editor can flag as you type.
STRUCTURAL = [
    "unknown-key",
    "wrong-type",
    "missing-key",
    "bad-identifier",
    "nip-as-number",
    "bad-nip",
]


def validator(kind: str) -> Draft202012Validator:
    schema = json_schema(kind)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def as_json(value: Any) -> Any:
    """The YAML document as an editor's language server sees it: dates are text."""
    if isinstance(value, dict):
        return {str(k): as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


def document(path: Path) -> Any:
    return as_json(yaml.safe_load(path.read_text(encoding="utf-8")))


def errors(kind: str, path: Path) -> list[str]:
    found = validator(kind).iter_errors(document(path))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in found]


def test_the_bundled_and_test_sops_are_all_there() -> None:
    assert len(REVISIONS) >= 3 and len(RULES) >= 3


@pytest.mark.parametrize("path", REVISIONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_schema_accepts_every_valid_revision(path: Path) -> None:
    assert errors("revision", path) == []


@pytest.mark.parametrize("path", RULES, ids=lambda p: p.name)
def test_the_schema_accepts_every_valid_rules_file(path: Path) -> None:
    assert errors("rules", path) == []


def test_the_schema_accepts_the_base_of_the_broken_fixtures() -> None:
    assert errors("revision", BROKEN / "sop/no-mistake/r1.yaml") == []


@pytest.mark.parametrize("case", STRUCTURAL)
def test_the_schema_refuses_a_structural_mistake(case: str) -> None:
    assert errors("revision", BROKEN / "sop" / case / "r1.yaml") != []


def test_the_schema_refuses_an_unknown_key_where_it_is() -> None:
    found = errors("revision", BROKEN / "sop/unknown-key/r1.yaml")
    assert any(e.startswith("steps/2: ") and "'activty'" in e for e in found), found


def test_sop_schema_prints_the_generated_schema() -> None:
    for kind in ("revision", "rules"):
        result = CliRunner().invoke(main, ["schema", kind])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output) == json_schema(kind)


@pytest.mark.parametrize("kind", ["revision", "rules"])
def test_the_schema_files_in_docs_are_the_generated_ones(kind: str) -> None:
    """docs/schema/ holds what `sop schema` prints, for editors' modelines: regenerate it with
    `sop schema > docs/schema/sop-revision.schema.json` (and `sop schema rules > ...`)."""
    saved = json.loads((ROOT / f"docs/schema/sop-{kind}.schema.json").read_text())
    assert saved == json_schema(kind)
