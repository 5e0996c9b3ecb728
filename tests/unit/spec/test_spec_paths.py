"""The path check: every path a ticket can take gives each event the data it waits for, or the
revision is refused with the path, the step, the event and the fields by their labels."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main
from engine.core import apply, compile_revision, new_ticket
from engine.core.model import Event
from engine.errors import InvalidData, MissingInputs, Problem, SopInvalid
from engine.spec import paths
from engine.spec.build import build_spec
from engine.spec.catalog import load_catalog
from engine.spec.load import load_revision
from engine.spec.validate import check_revision_file
from engine.spec.yaml_safe import read_yaml
from tests.support.seed import MONDAY, ROOT

SEED = ROOT / "sop/surabaya-complaints/r1.yaml"
LEAVE = ROOT / "tests/sops/sop/leave-request/v1.yaml"
BROKEN = ROOT / "tests/fixtures/broken"
STUCK = BROKEN / "sop/wargaku-stuck/r1.yaml"
REVISIONS = sorted(
    [*ROOT.glob("sop/*/*.yaml"), *ROOT.glob("tests/sops/sop/*/*.yaml")]
    + [*ROOT.glob("tests/revisions/sop/*/*.yaml")]
)
WARGAKU = {
    "reporter_name": "Siti Aminah",
    "reporter_phone": "+6281298765432",
    "channel": "wargaku",
    "complaint_text": "Lampu jalan mati",
    "attachment": "https://example.org/lampu.jpg",
    "location": "Jl. Kenjeran 5",
}


def variant(tmp: Path, source: Path, *changes: tuple[str, str]) -> list[Problem]:
    """The problems of `source` with each (old, new) text replaced once, its rules beside."""
    text = source.read_text()
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp / "sop" / source.parent.name / source.name
    path.parent.mkdir(parents=True)
    path.write_text(text)
    rules = source.parents[2] / "rules"
    return check_revision_file(path, rules).problems


def formatted(problems: list[Problem]) -> str:
    return "\n".join(p.format() for p in problems)


@pytest.mark.parametrize("path", REVISIONS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_bundled_and_test_revision_passes(path: Path) -> None:
    spec = load_revision(path)  # would raise SopInvalid with the path check's problems
    report_problems = check_revision_file(path).problems
    assert report_problems == [], formatted(report_problems)
    assert spec.steps


def test_the_seed_before_its_fix_is_refused_with_the_wargaku_path() -> None:
    problems = check_revision_file(STUCK, BROKEN / "rules").problems
    by_event = {p.path: p for p in problems}
    assert set(by_event) == {"steps[5].events.entered_national", "steps[6].events.routed"}
    routed = by_event["steps[6].events.routed"]
    assert routed.code == "input_never_supplied"
    assert routed.message == (
        "1 → 2 → 4 → 5 → 7: step 7 (route_to_agency) requires Kategori, Topik; no event on this "
        "path requires them ('responded' may give them but does not require them) and 'routed' "
        "does not accept them: a ticket on this path can get stuck at step 7 for good"
    )
    assert routed.hint == (
        "add category, topic to `accepts` of 'routed', or require them earlier on this path"
    )
    assert routed.line == 239  # the line of `routed:` in the file
    national = by_event["steps[5].events.entered_national"]
    assert national.message.startswith(
        "1 → 2 → 4 → 5 → 6: step 6 (enter_national_system) requires Kategori, Topik, OPD;"
    )


def test_sop_validate_and_the_catalog_refuse_the_old_seed(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(STUCK), "--rules", str(BROKEN / "rules")])
    assert result.exit_code == 1
    assert (
        "wargaku-stuck/r1.yaml:239:15: input_never_supplied: steps[6].events.routed: "
        "1 → 2 → 4 → 5 → 7: step 7 (route_to_agency) requires Kategori, Topik;"
    ) in result.output
    root = tmp_path / "sop"
    (root / "wargaku-stuck").mkdir(parents=True)
    (root / "wargaku-stuck/r1.yaml").write_bytes(STUCK.read_bytes())
    with pytest.raises(SopInvalid) as refused:  # what `sop serve` and the reload load with
        load_catalog(root, BROKEN / "rules")
    assert {p.code for p in refused.value.problems} == {"input_never_supplied"}


def test_what_the_check_finds_in_the_old_seed_is_what_the_engine_does() -> None:
    """Built without the check, the old seed really strands a WargaKu complaint at step 7."""
    doc = read_yaml(STUCK, str(STUCK))
    rev = compile_revision(build_spec(doc.data))
    ticket = new_ticket(rev, "T-1", dict(WARGAKU), MONDAY).ticket
    for name, data in [
        ("accept", {}),
        ("triage", {}),
        ("responded", {"response_text": "Sedang kami proses"}),
        ("within_authority", {"agency": "DSDABM"}),
    ]:
        ticket = apply(rev, ticket, Event(name, "staff", data, MONDAY), MONDAY).ticket
    assert ticket.state == "route_to_agency"
    with pytest.raises(MissingInputs) as missing:
        apply(rev, ticket, Event("routed", "staff", {}, MONDAY), MONDAY)
    assert set(missing.value.details["missing"]) == {"category", "topic"}
    with pytest.raises(InvalidData):
        apply(rev, ticket, Event("routed", "staff", {"category": "Jalan"}, MONDAY), MONDAY)


def test_fields_an_earlier_event_only_accepts_do_not_count(tmp_path: Path) -> None:
    old = "routed: {by: [staff], to: await_agency_response, accepts: [category, topic, agency]}"
    problems = variant(tmp_path, SEED, (old, old.replace("category, topic, ", "")))
    (p,) = problems
    assert (p.code, p.path) == ("input_never_supplied", "steps[6].events.routed")
    assert p.message.startswith("1 → 2 → 4 → 5 → 7: step 7 (route_to_agency) requires Kategori")
    assert "('responded', 'within_authority' may give them but do not require them)" in p.message


def test_an_input_whose_condition_is_false_on_the_path_is_not_required(tmp_path: Path) -> None:
    """Media Sosial applies `when: {field: channel, not_equals: wargaku}`: the WargaKu branch
    proves channel = wargaku, so step 7 does not need it on 1 → 2 → 4 → 5 → 7; without the
    condition it does, and there is no one to give it."""
    when = ", when: {field: channel, not_equals: wargaku}}"
    problems = variant(tmp_path, SEED, ("fields: [social_media]" + when, "fields: [social_media]}"))
    at_7 = [p for p in problems if p.path == "steps[6].events.routed"]
    assert [p.message.split(":")[0] for p in at_7] == ["1 → 2 → 4 → 5 → 7"]
    assert "requires Media Sosial;" in at_7[0].message


def test_a_condition_on_a_field_the_step_may_change_may_apply(tmp_path: Path) -> None:
    """Step 3's `entered` accepts channel: there the branch's proof no longer holds, so Media
    Sosial may apply and `entered` must accept it; it is reported on that path only."""
    entered = "accepts: [reporter_name, reporter_phone, channel, social_media, category"
    problems = variant(tmp_path, SEED, (entered, entered.replace(" social_media,", "")))
    (p,) = problems
    assert (p.code, p.path) == ("input_never_supplied", "steps[2].events.entered")
    assert p.message.startswith("1 → 2 → 3: step 3 (enter_into_app) requires Media Sosial;")


def test_an_event_of_the_step_that_keeps_the_ticket_there_may_give_what_is_needed(
    tmp_path: Path,
) -> None:
    """leave-request: `verified` needs leave_balance, which `balance_checked` (internal, same
    step) accepts: it passes. When that event accepts nothing, no one can ever give it."""
    assert variant(tmp_path / "a", LEAVE) == []
    balance = "balance_checked: {by: [hr_staff], accepts: [leave_balance]}"
    (p,) = variant(tmp_path / "b", LEAVE, (balance, "balance_checked: {by: [hr_staff]}"))
    assert (p.code, p.path) == ("needs_never_set", "steps[1].events.verified")
    # not stuck: `returned` still sends the request back to the employee
    assert p.message == (
        "1 → 2: 'verified' at step 2 (verify) needs Sisa Cuti Tahunan set first; no event on "
        "this path requires it and no other event of step 2 accepts it"
    )
    assert p.hint.startswith("require leave_balance on an earlier event of this path")


def test_a_refused_event_beside_one_that_moves_on_is_not_called_stuck(tmp_path: Path) -> None:
    old = "within_authority: {by: [staff], to: route_to_agency,"
    problems = variant(
        tmp_path, SEED, (old, old.replace("to:", "needs: [national_reference], to:"))
    )
    (p,) = problems
    assert (p.code, p.path) == ("needs_never_set", "steps[4].events.within_authority")
    assert p.message.startswith("1 → 2 → 4 → 5: 'within_authority' at step 5 (check_authority)")
    assert "Nomor tiket SP4N-LAPOR!" in p.message
    assert "for good" not in p.message  # outside_authority still moves the ticket on


def test_each_mistake_is_reported_once_with_the_shortest_path() -> None:
    problems = check_revision_file(
        BROKEN / "sop/loop-reaches-unsupplied-input/r1.yaml", BROKEN / "rules"
    ).problems
    (p,) = problems
    assert p.message.startswith("1 → 3 → 2: step 2 (verify) requires Nomor Izin Lama;")


def test_a_cap_on_the_paths_says_the_check_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(paths, "MAX_STATES", 5)
    problems = check_revision_file(SEED).problems
    assert [(p.code, p.path) for p in problems] == [("too_many_paths", "start")]
    assert "more than 5 different ways through the steps" in problems[0].message
