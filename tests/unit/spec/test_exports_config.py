"""exports.yaml: checked against every revision of its SOP, refused with a located problem
that says what to fix; a good one loads beside the revisions and a reload swaps it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.errors import SopInvalid
from engine.spec.catalog import load_catalog
from tests.support.seed import ROOT

PERMIT = ROOT / "tests" / "sops" / "sop" / "building-permit"

GOOD = """\
exports:
  simbg:
    label: Ekspor SIMBG
    at: [issue_permit]
    columns:
      - {name: alamat, label: Alamat Bangunan, field: site_address}
      - {name: luas, label: Luas Lantai, field: floor_area}
      - {name: tanggal, label: Tanggal Permohonan, ticket: received_date}
      - {name: jenis, label: Jenis Layanan, value: PBG}
    reference: {source: simbg, field: permit_number}
"""


def _root(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "sop" / "building-permit"
    shutil.copytree(PERMIT, folder)
    (folder / "integrations").mkdir()
    (folder / "integrations" / "exports.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "sop"


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SopInvalid) as caught:
        load_catalog(_root(tmp_path, text), ROOT / "tests" / "sops" / "rules")
    return [p.format() for p in caught.value.problems]


def test_a_second_sop_gets_its_own_export_with_no_code_change(tmp_path: Path) -> None:
    catalog = load_catalog(_root(tmp_path, GOOD), ROOT / "tests" / "sops" / "rules")
    export = catalog.integrations_of("building-permit").exports["simbg"]
    assert [c.name for c in export.columns] == ["alamat", "luas", "tanggal", "jenis"]
    assert export.offered_at("issue_permit") and not export.offered_at("register")
    assert export.reference is not None and export.reference.source == "simbg"
    assert catalog.integrations_of("surabaya-complaints").exports == {}


def test_a_field_missing_from_a_revision_is_refused_naming_it(tmp_path: Path) -> None:
    found = _problems(tmp_path, GOOD.replace("field: floor_area", "field: floor_areas"))
    assert len(found) == 1
    assert "exports.yaml:7:" in found[0] and "unknown_field" in found[0]
    assert "revision v1 has no field 'floor_areas'" in found[0] and "floor_area" in found[0]


def test_each_column_takes_one_source(tmp_path: Path) -> None:
    text = GOOD.replace(
        "{name: jenis, label: Jenis Layanan, value: PBG}",
        "{name: jenis, label: Jenis Layanan, value: PBG, field: site_address}",
    )
    (problem,) = _problems(tmp_path, text)
    assert "exactly one of field, ticket or value (here: field and value)" in problem


def test_a_reference_is_held_in_a_text_field_of_a_known_step(tmp_path: Path) -> None:
    text = GOOD.replace("field: permit_number}", "field: floor_area}").replace(
        "at: [issue_permit]", "at: [issue_permits]"
    )
    found = _problems(tmp_path, text)
    assert any("unknown_step" in p and "did you mean 'issue_permit'" in p for p in found)
    assert any("wrong_type" in p and "floor_area' is number" in p for p in found)


def test_unknown_keys_and_files_are_refused(tmp_path: Path) -> None:
    found = _problems(tmp_path, GOOD.replace("    label: Ekspor SIMBG", "    lable: Ekspor SIMBG"))
    assert any("unknown_key" in p and "did you mean 'label'" in p for p in found)
    root = _root(tmp_path / "b", GOOD)
    (root / "building-permit" / "integrations" / "exports.yml").write_text(GOOD)
    with pytest.raises(SopInvalid) as caught:
        load_catalog(root, ROOT / "tests" / "sops" / "rules")
    assert "unknown_file" in caught.value.problems[0].format()
