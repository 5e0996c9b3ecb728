"""Everything shipped in sop/ and rules/ is valid, and loads into the Spec the seed describes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from engine.errors import SopInvalid
from engine.spec.catalog import load_catalog
from engine.spec.load import load_revision
from engine.spec.validate import validate_paths

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "sop/surabaya-complaints/r1.yaml"
SEED_RULES = ROOT / "rules/surabaya-complaints-r1.yaml"


def test_every_revision_and_rules_file_shipped_is_valid() -> None:
    files, problems = validate_paths([ROOT / "sop", ROOT / "rules"])
    assert SEED in [f.resolve() for f in files]
    assert problems == [], "\n".join(p.format() for p in problems)


def test_the_seed_loads_with_its_sixteen_steps_and_rules() -> None:
    spec = load_revision(SEED)
    assert [s.no for s in spec.steps] == list(range(1, 17))
    assert spec.identity.approved_by.nip == "197405091994121001"
    assert len(spec.legal_basis) == 9
    assert spec.rulesets[0].id == "surabaya-complaints-r1"


def test_the_content_hash_covers_the_revision_and_its_rules_files() -> None:
    spec = load_revision(SEED)
    expected = hashlib.sha256(SEED.read_bytes())
    expected.update(b"\0" + SEED_RULES.read_bytes())
    assert spec.content_hash == expected.hexdigest()
    assert spec.rulesets[0].content_hash == hashlib.sha256(SEED_RULES.read_bytes()).hexdigest()


def copy_seed(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "sop/surabaya-complaints").mkdir(parents=True)
    (tmp_path / "rules").mkdir()
    rev = tmp_path / "sop/surabaya-complaints/r1.yaml"
    rules = tmp_path / "rules/surabaya-complaints-r1.yaml"
    shutil.copy(SEED, rev)
    shutil.copy(SEED_RULES, rules)
    return rev, rules


def test_a_change_to_a_rules_file_changes_the_revision_hash(tmp_path: Path) -> None:
    rev, rules = copy_seed(tmp_path)
    before = load_revision(rev).content_hash
    assert before == load_revision(SEED).content_hash  # the rules folder beside sop/ is found
    rules.write_text(rules.read_text() + "\n# a comment\n")
    assert load_revision(rev).content_hash != before


def test_a_mistake_in_the_rules_file_stops_the_revision_loading(tmp_path: Path) -> None:
    rev, rules = copy_seed(tmp_path)
    rules.write_text(
        rules.read_text().replace("fire: {event: no_confirmation}", "fire: {event: nope}")
    )
    with pytest.raises(SopInvalid) as info:
        load_revision(rev)
    (problem,) = info.value.problems
    assert problem.code == "unknown_event"
    assert problem.path.startswith("rules[") and problem.path.endswith("].then[0].fire.event")
    assert problem.line == rules.read_text().splitlines().index("      - fire: {event: nope}") + 1
    assert problem.file.endswith("rules/surabaya-complaints-r1.yaml")


def test_the_catalog_reports_the_problems_of_every_file(tmp_path: Path) -> None:
    rev, _ = copy_seed(tmp_path)
    (tmp_path / "sop/other").mkdir()
    (tmp_path / "sop/other/r1.yaml").write_text("format_version: 1\nid: other\n")
    rev.write_text(rev.read_text().replace("start: receive_inquiry", "start: receive"))
    with pytest.raises(SopInvalid) as info:
        load_catalog(tmp_path / "sop")
    files = {Path(p.file).parent.name for p in info.value.problems}
    assert files == {"surabaya-complaints", "other"}
    assert "did you mean 'receive_inquiry'?" in str(info.value)
