"""`integrations/open311.yaml`: read strictly, checked against every revision of its SOP, each
problem at its line with a hint that says what to fix."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.errors import Problem, SopInvalid
from engine.spec.catalog import load_catalog
from engine.spec.load import load_revision
from engine.spec.model import Spec
from engine.spec.open311_config import check_open311
from engine.spec.report import Report
from engine.spec.yaml_safe import parse_yaml
from tests.support.seed import ROOT

SEED_FILE = ROOT / "sop/surabaya-complaints/integrations/open311.yaml"


@pytest.fixture(scope="module")
def seed() -> Spec:
    return load_revision(ROOT / "sop/surabaya-complaints/r1.yaml")


def check(text: str, *specs: Spec) -> tuple[object, list[Problem]]:
    report = Report("open311.yaml")
    doc = parse_yaml(text.encode(), report)
    assert doc.data is not None, report.problems
    return check_open311(doc.data, specs, report), report.problems


def test_the_seeds_settings_are_read(seed: Spec) -> None:
    config, problems = check(SEED_FILE.read_text(encoding="utf-8"), seed)
    assert problems == []
    assert config is not None


def test_mistakes_are_located_with_a_hint(seed: Spec) -> None:
    text = """\
services:
  pengaduan:
    name: Pengaduan
    set: {channel: open311}
fields:
  description: complaint_txt
  lat: location
  media_url: location
  adress_string: location
attributes:
  attachment: {order: 1}
agency_responsible: topic
"""
    config, problems = check(text, seed)
    assert config is None
    got = {(p.code, p.path, p.line) for p in problems}
    assert got == {
        ("unknown_choice", "services.pengaduan.set.channel", 4),
        ("unknown_field", "fields.description", 6),
        ("missing_key", "fields.lat", 7),
        ("shared_field", "fields.media_url", 8),
        ("unknown_key", "fields.adress_string", 9),
        ("not_a_scope_field", "agency_responsible", 12),
    }
    hints = {p.code: p.hint for p in problems}
    assert hints["unknown_field"] == "did you mean 'complaint_text'?"
    assert hints["unknown_key"] == "did you mean 'address_string'?"
    assert "map 'long' too" in hints["missing_key"]
    assert "wargaku" in hints["unknown_choice"]  # the choices r1 has
    assert hints["not_a_scope_field"] == "known: agency"


def test_the_structure_is_checked_first(seed: Spec) -> None:
    text = "services:\n  pengaduan: {name: Pengaduan, type: realtim}\nfeilds: {}\n"
    config, problems = check(text, seed)
    assert config is None
    got = {(p.code, p.path, p.line, p.hint) for p in problems}
    assert got == {
        ("bad_value", "services.pengaduan.type", 2, "did you mean 'realtime'?"),
        ("unknown_key", "feilds", 3, "did you mean 'fields'?"),
    }


def test_a_field_one_revision_lacks_is_refused_naming_that_revision(seed: Spec) -> None:
    fields = tuple(f for f in seed.fields if f.id != "attachment")
    later = dataclasses.replace(seed, revision="r2", fields=fields)
    text = SEED_FILE.read_text(encoding="utf-8")
    config, problems = check(text, seed, later)
    assert config is None
    [problem] = problems
    assert (problem.code, problem.path) == ("unknown_field", "fields.media_url")
    assert problem.message == "no field 'attachment' in revision r2 of surabaya-complaints"
    lines = [n for n, line in enumerate(text.splitlines(), 1) if "media_url:" in line]
    assert problem.line == lines[0]


def test_types_the_request_keys_cannot_land_in_are_refused(seed: Spec) -> None:
    text = """\
services: {pengaduan: {name: Pengaduan}}
fields:
  media_url: channel
  lat: category
  long: topic
attributes:
  reporter_name: {required: true}
set: {reporter_name: 7}
"""
    _, problems = check(text, seed)
    got = {(p.code, p.path) for p in problems}
    assert got == {("wrong_type", "fields.media_url"), ("wrong_type", "set.reporter_name")}
    fixed = text.replace("media_url: channel", "media_url: attachment").replace(" 7}", " Ani}")
    _, problems = check(fixed, seed)
    assert problems == []  # lat and long in two text fields, a text attribute: fine


def test_two_sops_offering_one_service_code_are_refused(tmp_path: Path) -> None:
    root = tmp_path / "sop"
    shutil.copytree(ROOT / "sop" / "surabaya-complaints", root / "surabaya-complaints")
    shutil.copytree(ROOT / "tests/sops/sop/complaint-routing", root / "complaint-routing")
    (root / "complaint-routing/integrations").mkdir()
    (root / "complaint-routing/integrations/open311.yaml").write_text(
        "services: {pengaduan: {name: Pengaduan}}\nfields: {description: complaint_text}\n"
    )
    with pytest.raises(SopInvalid) as caught:
        load_catalog(root, ROOT / "rules")
    [problem] = [p for p in caught.value.problems if p.code == "duplicate_service_code"]
    assert problem.file.endswith("surabaya-complaints/integrations/open311.yaml")
    said = "service code 'pengaduan' is offered by SOP 'complaint-routing' already"
    assert problem.message == said


def test_sop_validate_reports_the_settings_at_their_line(tmp_path: Path) -> None:
    root = tmp_path / "sop"
    shutil.copytree(ROOT / "sop" / "surabaya-complaints", root / "surabaya-complaints")
    settings = root / "surabaya-complaints/integrations/open311.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text.replace("media_url: attachment", "media_url: lampiran"))
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("  media_url:"))
    result = CliRunner().invoke(main, ["validate", str(root), "--rules", str(ROOT / "rules")])
    assert result.exit_code == 1
    assert f"open311.yaml:{line}:14: unknown_field: fields.media_url: no field 'lampiran'" in (
        result.output
    )
