"""`invariants:` in a revision: what the paper says of every ticket at some steps, read into
the Spec, and every mistake in it located with a hint (checked by `sop check`, not enforced)."""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.spec.expression import Cmp
from engine.spec.load import load_revision
from engine.spec.model import Invariant
from engine.spec.validate import check_revision_file
from tests.support.seed import ROOT

SEED = ROOT / "sop/surabaya-complaints/r1.yaml"


def with_invariants(tmp: Path, block: str) -> Path:
    """The seed with its `invariants:` block replaced by `block`, in a temporary tree."""
    (tmp / "sop/surabaya-complaints").mkdir(parents=True)
    shutil.copytree(ROOT / "rules", tmp / "rules")
    text = SEED.read_text(encoding="utf-8")
    head = text[: text.index("\ninvariants:")]
    path = tmp / "sop/surabaya-complaints/r1.yaml"
    path.write_text(f"{head}\ninvariants:\n{block}", encoding="utf-8")
    return path


def problems(path: Path) -> list[tuple[str, str, str]]:
    return [(p.code, p.path, p.hint) for p in check_revision_file(path).problems]


def test_the_seed_invariants_are_read_into_the_spec() -> None:
    spec = load_revision(SEED)
    routed = next(i for i in spec.invariants if i.id == "routed_has_agency")
    assert routed == Invariant(
        id="routed_has_agency",
        text="Pengaduan disalurkan sesuai Perangkat Daerah",
        holds=Cmp("field", "is_set", None, "agency"),
        at=("await_agency_response", "follow_up", "check_substance", "validate"),
    )
    done = next(i for i in spec.invariants if i.id == "done_when_closed")
    assert (done.status, done.at, done.holds) == (("done",), ("reply_on_channel", "end"), None)


def test_names_an_invariant_gets_wrong_are_located_with_hints(tmp_path: Path) -> None:
    path = with_invariants(
        tmp_path,
        "  - id: a\n"
        "    text: Salah nama\n"
        "    at: [route_to_agnecy, monev_report, validate, validate]\n"
        "    status: [in_progres]\n"
        "    holds: {field: agenzy, is_set: true}\n",
    )
    found = problems(path)
    assert ("unknown_step", "invariants[0].at[0]", "did you mean 'route_to_agency'?") in found
    assert any(c == "periodic_target" and p == "invariants[0].at[1]" for c, p, _ in found)
    assert any(c == "duplicate_value" and p == "invariants[0].at[3]" for c, p, _ in found)
    assert ("unknown_status", "invariants[0].status[0]", "did you mean 'in_progress'?") in found
    assert ("unknown_field", "invariants[0].holds.field", "did you mean 'agency'?") in found
    lines = path.read_text(encoding="utf-8").splitlines()
    (step,) = [p for p in check_revision_file(path).problems if p.path == "invariants[0].at[0]"]
    assert "route_to_agnecy" in lines[step.line - 1]


def test_an_invariant_states_something_of_the_ticket(tmp_path: Path) -> None:
    path = with_invariants(
        tmp_path,
        "  - {id: a, text: Tanpa isi}\n"
        "  - {id: b, text: Data acara, holds: {all: [{data: agency, is_set: true}]}}\n"
        "  - {id: b, text: Dua kali, status: [done]}\n",
    )
    found = problems(path)
    assert any(c == "missing_key" and p == "invariants[0]" for c, p, _ in found)
    assert (
        "bad_condition",
        "invariants[1].holds.all[0].data",
        "write `field:` instead of `data:`",
    ) in found
    assert any(c == "duplicate_value" and p == "invariants[2].id" for c, p, _ in found)


def test_the_structure_of_an_invariant_is_checked(tmp_path: Path) -> None:
    path = with_invariants(tmp_path, "  - {id: Bad-Id, txt: Salah kunci, at: [], status: done}\n")
    found = problems(path)
    assert {(c, p) for c, p, _ in found} == {
        ("bad_identifier", "invariants[0].id"),
        ("unknown_key", "invariants[0].txt"),  # its hint names `text`, the key it misses
        ("empty_value", "invariants[0].at"),
        ("wrong_type", "invariants[0].status"),
    }
    assert ("unknown_key", "invariants[0].txt", "did you mean 'text'?") in found
