"""The identity block as the paper has it: blanks stay blank ("-" on the form), nothing invented,
and the day a revision governs new tickets is always stated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from engine.authoring.form import render_form
from engine.spec.catalog import load_catalog
from engine.spec.load import load_revision
from tests.unit.spec.test_spec_checks import SEED, only, variant

IDENTITY = SEED.read_text().split("identity:\n", 1)[1].split("\n\n", 1)[0]
NO_IDENTITY = ("identity:\n" + IDENTITY + "\n", "")


def form_rows(text: str) -> dict[str, str]:
    """The identity rows of the paper form: label -> the first line of its value."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 2 and cells[0]:
            rows.setdefault(cells[0], cells[1])
    return rows


def test_a_revision_without_an_identity_block_loads_and_its_form_shows_dashes(
    tmp_path: Path,
) -> None:
    path = variant(tmp_path, NO_IDENTITY[0], "in_force_from: 2024-01-02\n\n")
    spec = load_revision(path)
    assert spec.identity.number == "" and spec.identity.made is None
    rows = form_rows(render_form(spec, width=120))
    for label in ("NOMOR SOP", "TGL. PEMBUATAN", "TGL. EFEKTIF", "DISAHKAN OLEH", "NAMA SOP"):
        assert rows[label] == "-", label


def test_in_force_from_pins_tickets_when_the_paper_has_no_effective_date(tmp_path: Path) -> None:
    variant(tmp_path, NO_IDENTITY[0], "in_force_from: 2024-01-02\n\n")
    catalog = load_catalog(tmp_path / "sop", tmp_path / "rules")
    spec = catalog.get("surabaya-complaints")
    assert spec.identity.effective is None  # the form's TGL. EFEKTIF stays "-"
    assert spec.identity.governs_from.isoformat() == "2024-01-02"
    received = datetime(2024, 1, 1, 18, tzinfo=UTC)  # 2 January 01:00 in Jakarta
    assert catalog.effective("surabaya-complaints", received) is spec


def test_a_revision_that_never_says_when_it_governs_is_refused_with_a_hint(
    tmp_path: Path,
) -> None:
    p = only(variant(tmp_path, *NO_IDENTITY))
    assert (p.code, p.line, p.path) == ("no_effective_date", 6, "")  # the first key
    assert "in_force_from: YYYY-MM-DD" in p.hint


def test_an_identity_block_with_no_date_is_refused_where_it_starts(tmp_path: Path) -> None:
    text = "  made: 2023-08-31\n  revised: null"
    path = variant(tmp_path, text, '  made: ""\n  revised: null')
    path.write_text(path.read_text().replace("  effective: 2023-08-31\n", ""))
    p = only(path)
    assert (p.code, p.line, p.path) == ("no_effective_date", 11, "identity")


def test_the_papers_effective_date_and_in_force_from_conflict(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "\nidentity:\n", "\nin_force_from: 2024-01-02\nidentity:\n"))
    assert (p.code, p.line, p.path) == ("conflicting_keys", 10, "in_force_from")
    assert "remove `in_force_from`" in p.hint


def test_null_and_blank_identity_fields_read_alike_as_blanks(tmp_path: Path) -> None:
    blanks = (
        "identity:\n  number: null\n  name: ''\n  government:\n  units: null\n"
        "  made: 2023-08-31\n  revised: ''\n  effective: null\n"
        "  approved_by: {title: '', name: null, nip: ''}\n\n"
    )
    spec = load_revision(variant(tmp_path, NO_IDENTITY[0], blanks))
    ident = spec.identity
    assert (ident.number, ident.name, ident.government, ident.units) == ("", "", "", ())
    assert ident.revised is None and ident.effective is None
    assert ident.governs_from.isoformat() == "2023-08-31"  # format_version 1: the day it was made
    assert ident.approved_by.nip == ""


def test_a_blank_description_or_output_reads_as_none(tmp_path: Path) -> None:
    seed = load_revision(SEED)
    step = seed.steps[0]
    path = variant(tmp_path, f"    output: {step.output}\n", "    output: null\n")
    assert load_revision(path).steps[0].output == ""
    old = "    description: The citizen who made the complaint."
    spec = load_revision(variant(tmp_path, old, "    description: ''"))
    assert spec.actor("reporter").description == ""
