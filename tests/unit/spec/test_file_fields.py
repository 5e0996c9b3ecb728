"""The `file` field type in the SOP language: its keys, their defaults, and what a value is."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.core.fields import check_values
from engine.errors import InvalidData, Problem
from engine.spec.load import load_revision
from engine.spec.validate import check_revision_file

ROOT = Path(__file__).resolve().parents[3]
PHOTO_DESK = ROOT / "tests/sops/files/photo-desk-v1.yaml"
REF = {"sha256": "ab" * 32, "name": "depan.jpg", "type": "image/jpeg", "size": 2048}


def variant(tmp: Path, old: str = "", new: str = "") -> Path:
    text = PHOTO_DESK.read_text("utf-8")
    assert old in text
    path = tmp / "sop/photo-desk/v1.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def problems(path: Path) -> list[Problem]:
    return check_revision_file(path).problems


def test_a_file_field_loads_with_its_limits_and_defaults(tmp_path: Path) -> None:
    spec = load_revision(variant(tmp_path))
    fields = {f.id: f for f in spec.fields}
    photo, attachments, card = fields["photo"], fields["attachments"], fields["id_card"]
    assert (photo.accept, photo.max_size_mb, photo.multiple) == (("jpeg", "png", "webp"), 1, False)
    assert (attachments.max_files, attachments.max_size_mb) == (2, 10)
    assert attachments.media_types == ("image/jpeg", "image/png", "image/webp", "application/pdf")
    assert (card.personal, card.keep_exif, fields["site_photo"].keep_exif) == (True, False, True)


@pytest.mark.parametrize(
    ("old", "new", "code", "where"),
    [
        (
            "{type: text, label: Catatan}",
            "{type: text, label: Catatan, keep_exif: true}",
            "file_key_not_allowed",
            "fields.note.keep_exif",
        ),
        (
            "label: Foto, accept",
            "label: Foto, max_files: 3, accept",
            "file_key_not_allowed",
            "fields.photo.max_files",
        ),
        ("max_size_mb: 1", "max_size_mb: 51", "bad_value", "fields.photo.max_size_mb"),
        ("accept: [jpeg]", "accept: [gif]", "bad_value", "fields.id_card.accept[0]"),
    ],
    ids=["exif-on-text", "max-files-on-one", "too-large", "unknown-kind"],
)
def test_file_keys_are_checked_when_the_sop_loads(
    tmp_path: Path, old: str, new: str, code: str, where: str
) -> None:
    (p,) = problems(variant(tmp_path, old, new))
    assert (p.code, p.path) == (code, where)


def test_a_file_field_is_tested_by_is_set_only(tmp_path: Path) -> None:
    branch = "to: end}"
    text = "branches: [{when: {field: photo, equals: foto.jpg}, to: end}]}"
    (p,) = problems(variant(tmp_path, branch, text))
    assert p.code == "wrong_type" and "is_set" in p.hint


def test_a_value_is_a_reference_or_a_list_of_at_most_max_files(tmp_path: Path) -> None:
    spec = load_revision(variant(tmp_path))
    assert check_values(spec, {"photo": REF, "attachments": [REF, REF]})
    bad = [
        {"photo": "https://example.org/foto.jpg"},  # a URL is not a stored file
        {"photo": [REF]},  # one file, not a list
        {"photo": {**REF, "type": "application/pdf"}},  # Foto takes images
        {"photo": {**REF, "size": 2 * 2**20}},  # over its 1 MB
        {"attachments": [REF, REF, REF]},  # over max_files: 2
        {"attachments": [{**REF, "sha256": "ZZ"}]},
    ]
    for data in bad:
        with pytest.raises(InvalidData) as refused:
            check_values(spec, data)
        assert set(refused.value.details["errors"]) == set(data)
