"""`sop validate`, `sop list` and `sop show`, through click's runner."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from engine.cli import main

ROOT = Path(__file__).resolve().parents[3]
SOP = ROOT / "sop"
BROKEN = ROOT / "tests/fixtures/broken"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def test_validate_passes_on_the_shipped_sops() -> None:
    code, out = run("validate", "--root", SOP)
    assert code == 0, out
    assert "ok: 3 file(s) valid" in out  # r1.yaml and integrations/{exports,open311}.yaml


def test_validate_of_one_sop_folder_reads_its_revisions_not_its_scenarios() -> None:
    for folder, files in (
        (SOP / "surabaya-complaints", 3),  # with its integrations/
        (ROOT / "tests/sops/sop/building-permit", 1),
    ):
        code, out = run("validate", folder, "--rules", folder.parent.parent / "rules")
        assert code == 0, out
        assert f"ok: {files} file(s) valid" in out


def test_validate_checks_an_sops_integration_files_against_its_revisions(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "surabaya-complaints"
    shutil.copytree(SOP / "surabaya-complaints", folder)
    exports = folder / "integrations" / "exports.yaml"
    exports.write_text(exports.read_text().replace("field: topic}", "field: topik}"))
    code, out = run("validate", folder, "--rules", ROOT / "rules")
    assert code == 1
    assert "exports.yaml:" in out and "revision r1 has no field 'topik'" in out
    assert "did you mean 'topic'?" in out


def test_validate_fails_with_every_located_problem() -> None:
    code, out = run(
        "validate",
        BROKEN / "sop/unknown-step",
        BROKEN / "sop/duplicate-key/r1.yaml",
        "--rules",
        BROKEN / "rules",
    )
    assert code == 1
    assert re.search(
        r"unknown-step/r1\.yaml:61:35: unknown_step: steps\[1\]\.events\.verified\.to: "
        r"no step 'decidee' is defined \(did you mean 'decide'\?\)",
        out,
    )
    assert "duplicate-key/r1.yaml:59:5: duplicate_key: steps[1].time_limit:" in out
    assert "2 problem(s) in 2 file(s) checked" in out


def test_validate_json_lists_files_and_problems() -> None:
    code, out = run("validate", BROKEN / "sop/bad-nip", "--format", "json")
    assert code == 1
    payload = json.loads(out)
    assert payload["valid"] is False
    assert payload["files"][0].endswith("bad-nip/r1.yaml")
    (problem,) = payload["problems"]
    assert problem["code"] == "bad_nip"
    assert (problem["line"], problem["col"]) == (16, 10)
    assert problem["path"] == "identity.approved_by.nip"
    code, out = run("validate", SOP, "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["valid"] is True and payload["problems"] == []
    assert [Path(f).name for f in payload["files"]] == ["r1.yaml", "exports.yaml", "open311.yaml"]


def test_validate_checks_a_rules_file_on_its_own(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    src = ROOT / "rules/surabaya-complaints-r1.yaml"
    (rules / "x.yaml").write_text(src.read_text().replace("notify:", "notfy:", 1))
    code, out = run("validate", rules / "x.yaml")
    assert code == 1
    assert "unknown_action" in out and "did you mean 'notify'?" in out
    assert "id_mismatch" in out  # its id is not its file name


def test_validate_of_an_empty_folder_fails(tmp_path: Path) -> None:
    code, out = run("validate", tmp_path)
    assert code == 1
    assert "no_files" in out


def test_list_shows_revisions_with_effective_dates_and_hashes() -> None:
    code, out = run("list", "--root", SOP)
    assert code == 0, out
    assert re.search(r"surabaya-complaints@r1\s+2023-08-31\s+16\s+[0-9a-f]{12}\s+PENGADUAN", out)
    code, out = run("list", "--root", SOP, "--format", "json")
    (row,) = json.loads(out)["revisions"]
    assert row["effective"] == "2023-08-31"
    assert len(row["content_hash"]) == 64


def test_list_marks_an_invalid_revision_and_fails(tmp_path: Path) -> None:
    shutil.copytree(BROKEN / "sop/bad-date", tmp_path / "sop/bad-date")
    code, out = run("list", "--root", tmp_path / "sop")
    assert code == 1
    assert "bad-date@r1" in out and "INVALID" in out
    assert "bad_date" in out


def test_show_prints_the_paper_form_with_every_header_cell_and_all_sixteen_rows() -> None:
    code, out = run("show", "surabaya-complaints", "--root", SOP, "--width", "200")
    assert code == 0, out
    for cell in (
        "PEMERINTAH KOTA SURABAYA",
        "DINAS KOMUNIKASI DAN INFORMATIKA",
        "BIDANG INFORMASI DAN KOMUNIKASI PUBLIK SERTA STATISTIK",
        "NOMOR SOP",
        "061.1/Dinkominfo/KP/10175",
        "TGL. PEMBUATAN",
        "31 Agustus 2023",
        "TGL. REVISI",
        "TGL. EFEKTIF",
        "DISAHKAN OLEH",
        "Pjt. Kepala Dinas Komunikasi dan Informatika",
        "Muhamad Fikser, AP, MM",
        "Pembina Utama Muda",
        "NIP. 197405091994121001",
        "NAMA SOP",
        "PENGADUAN DENGAN PELAPOR YANG TIDAK MEMBERIKAN KONFIRMASI TERHADAP HASIL TINDAK",
        "DASAR HUKUM",
        "KUALIFIKASI PELAKSANA",
        "KETERKAITAN",
        "PERALATAN/PERLENGKAPAN",
        "PERINGATAN",
        "PENCATATAN DAN PENDATAAN",
        "Lulusan S1",
        "Komputer/laptop",
        "Akan menurunkan citra Pemkot Surabaya dimata masyarakat",
        "Disimpan sebagai data manual dan data elektronik",
    ):
        assert cell in out, cell
    header = next(line for line in out.splitlines() if line.startswith("| No."))
    cells = [c.strip() for c in header.strip("|").split("|")]
    assert cells == [
        "No.",
        "Kegiatan",
        "Staff",
        "Ketua Tim Kerja",
        "Pelaksana Lain",
        "Kelengkapan",
        "Waktu",
        "Output",
        "Keterangan",
    ]
    numbers = [int(m) for m in re.findall(r"^\| (\d+) +\|", out, flags=re.MULTILINE)]
    assert numbers == list(range(1, 17))
    legal = [int(m) for m in re.findall(r"^\| (\d)\. ", out, flags=re.MULTILINE)]
    assert legal[:9] == list(range(1, 10))


def test_show_marks_performers_and_names_other_actors() -> None:
    code, out = run("show", "surabaya-complaints@r1", "--root", SOP, "--width", "200")
    rows = {
        int(m.group(1)): [c.strip() for c in m.group(0).strip("|").split("|")]
        for m in re.finditer(r"^\| (\d+) +\|.*$", out, flags=re.MULTILINE)
    }
    assert rows[1][2:5] == ["X", "", ""]  # Staff
    assert rows[16][2:5] == ["", "X", ""]  # Ketua Tim Kerja
    assert rows[9][2:5] == ["", "", "Perangkat Daerah (OPD)"]
    assert rows[13][4] == "Sistem"
    assert rows[8][6] == "24 jam"
    assert rows[12][6] == "7 hari kalender"
    assert rows[1][1].startswith("Menerima inquiry dari")  # <i> dropped for the terminal
    assert "<i>" not in out


def test_show_json_holds_the_whole_revision() -> None:
    code, out = run("show", "surabaya-complaints", "--root", SOP, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["identity"]["approved_by"]["nip"] == "197405091994121001"
    assert data["identity"]["made"] == "2023-08-31"
    assert [s["no"] for s in data["steps"]] == list(range(1, 17))
    assert "<i>inquiry</i>" in data["steps"][0]["activity"]  # verbatim in the data


def test_show_an_unknown_sop_or_revision_says_what_exists() -> None:
    code, out = run("show", "surabaya-complaint", "--root", SOP)
    assert code == 2
    assert "did you mean 'surabaya-complaints'?" in out
    code, out = run("show", "surabaya-complaints@r9", "--root", SOP)
    assert code == 2
    assert "no revision 'r9'" in out


def test_show_a_broken_revision_prints_its_problems(tmp_path: Path) -> None:
    shutil.copytree(BROKEN / "sop/unknown-status", tmp_path / "sop/unknown-status")
    code, out = run("show", "unknown-status", "--root", tmp_path / "sop")
    assert code == 1
    assert "unknown_status" in out


def test_show_prints_sign_offs_inside_their_row_in_order() -> None:
    root = ROOT / "tests/sops/sop"
    code, out = run("show", "practice-permit", "--root", root, "--width", "220")
    assert code == 0, out
    rows = out.split("\n+")
    (row,) = [r for r in rows if "Memaraf dan menandatangani" in r]
    kegiatan = " ".join(line.split("|")[2].strip() for line in row.splitlines()[1:])
    assert (
        kegiatan.index("a. Paraf Kepala Seksi Perizinan (Kepala Seksi Perizinan; 4 jam)")
        < (
            kegiatan.index(
                "b. Paraf Kepala Bidang Pelayanan (Kepala Bidang Pelayanan; 1 hari kerja)"
            )
        )
        < kegiatan.index("c. Tanda tangan Kepala Dinas (Kepala Dinas; 1 hari kerja)")
    )
    assert "Paraf" not in "".join(r for r in rows if "Menyerahkan izin" in r)
