"""Each file in tests/fixtures/broken holds one mistake: the validator names it, where it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import Problem, SopInvalid
from engine.spec.load import load_revision
from engine.spec.validate import check_revision_file

ROOT = Path(__file__).resolve().parents[3]
BROKEN = ROOT / "tests/fixtures/broken"

# (folder, file the problem is in, code, line, YAML path, text the hint holds)
CASES = [
    ("yaml-syntax", "sop", "yaml_syntax", 18, "", "began at line 17"),
    ("tab-indent", "sop", "tab_indent", 13, "", "spaces"),
    ("not-utf8", "sop", "not_utf8", 14, "", "UTF-8"),
    ("python-tag", "sop", "python_tag", 56, "steps[1].activity", "remove the tag"),
    ("unknown-tag", "sop", "unknown_tag", 69, "steps[2].output", "remove the tag"),
    ("multiple-documents", "sop", "multiple_documents", 38, "", ""),
    ("empty-file", "sop", "empty_file", 1, "", ""),
    ("undefined-alias", "sop", "undefined_alias", 44, "steps[0].inputs[0]", "&name"),
    ("recursive-alias", "sop", "recursive_alias", 17, "legal_basis[1]", ""),
    ("alias-bomb", "sop", "alias_bomb", 10, "a5[3]", "aliases"),
    ("duplicate-key", "sop", "duplicate_key", 59, "steps[1].time_limit", "line 58"),
    ("boolean-key", "sop", "non_string_key", 54, "steps[1].no", "write `number:`"),
    ("unknown-key", "sop", "unknown_key", 66, "steps[2].activty", "did you mean 'activity'?"),
    ("wrong-type", "sop", "wrong_type", 67, "steps[2].performers", "as a list"),
    ("missing-key", "sop", "missing_key", 54, "steps[1].activity", ""),
    ("unsupported-format-version", "sop", "unsupported_format_version", 2, "format_version", "1"),
    ("id-mismatch", "sop", "id_mismatch", 3, "id", "id: id-mismatch"),
    ("revision-mismatch", "sop", "revision_mismatch", 4, "revision", "revision: r1"),
    ("duplicate-step-number", "sop", "duplicate_step_number", 64, "steps[2].number", "steps[1]"),
    ("duplicate-step-id", "sop", "duplicate_step_id", 74, "steps[3].id", "steps[2]"),
    ("bad-identifier", "sop", "bad_identifier", 61, "steps[1].events['Verified OK']", "lowercase"),
    ("unknown-actor", "sop", "unknown_actor", 61, "steps[1].events.verified.by[1]", "clerk"),
    (
        "unknown-field",
        "sop",
        "unknown_field",
        72,
        "steps[2].events.decided.accepts[0]",
        "did you mean 'decision_note'?",
    ),
    (
        "unknown-step",
        "sop",
        "unknown_step",
        61,
        "steps[1].events.verified.to",
        "did you mean 'decide'?",
    ),
    ("unknown-status", "sop", "unknown_status", 70, "steps[2].status", "did you mean 'decided'?"),
    ("unknown-calendar", "sop", "unknown_calendar", 36, "default_calendar", "'office'"),
    (
        "unknown-choice",
        "sop",
        "unknown_choice",
        52,
        "steps[0].events.accepted.branches[0].when.equals",
        "did you mean 'renewal'?",
    ),
    (
        "bad-condition",
        "sop",
        "bad_condition",
        52,
        "steps[0].events.accepted.branches[0].when",
        "equals",
    ),
    ("unknown-rules-file", "sop", "unknown_rules_file", 37, "rules[0]", ""),
    (
        "otherwise-not-last",
        "sop",
        "otherwise_not_last",
        52,
        "steps[0].events.accepted.branches[0]",
        "move it to the end",
    ),
    ("to-and-branches", "sop", "to_and_branches", 49, "steps[0].events.accepted", "otherwise"),
    ("pause-moves", "sop", "pause_moves", 62, "steps[1].events.info_requested", ""),
    ("step-unreachable", "sop", "step_unreachable", 55, "steps[1].id", ""),
    ("step-no-way-out", "sop", "step_no_way_out", 55, "steps[1].id", "'end'"),
    ("step-cannot-finish", "sop", "step_cannot_finish", 65, "steps[2].id", ""),
    ("bad-duration", "sop", "bad_duration", 58, "steps[1].time_limit", ""),
    ("bad-date", "sop", "bad_date", 10, "identity.made", "YYYY-MM-DD"),
    ("effective-before-made", "sop", "effective_before_made", 11, "identity.effective", ""),
    ("bad-nip", "sop", "bad_nip", 16, "identity.approved_by.nip", ""),
    ("nip-as-number", "sop", "wrong_type", 16, "identity.approved_by.nip", "in quotes"),
    ("no-calendar", "sop", "no_calendar", 2, "calendars", "calendars:"),
    ("unknown-time-zone", "sop", "unknown_time_zone", 33, "calendars.office.time_zone", ""),
    ("reserved-event-name", "sop", "reserved_id", 61, "steps[1].events.deadline", ""),
    # the path check (engine/spec/paths.py): a ticket that waits for good for data
    ("needs-never-set", "sop", "needs_never_set", 62, "steps[1].events.verified", "decision_note"),
    (
        "input-on-one-branch",
        "sop",
        "input_never_supplied",
        76,
        "steps[2].events.decided",
        "old_permit",
    ),
    (
        "loop-reaches-unsupplied-input",
        "sop",
        "input_never_supplied",
        65,
        "steps[1].events.verified",
        "old_permit",
    ),
    (
        "field-changed-after-branch",
        "sop",
        "input_never_supplied",
        77,
        "steps[2].events.decided",
        "inspection_report",
    ),
    ("pause-no-resume", "sop", "no_resume", 63, "steps[1].events.info_requested", "resume: true"),
    (
        "wargaku-stuck",
        "sop",
        "input_never_supplied",
        239,
        "steps[6].events.routed",
        "category, topic",
    ),
    # rules files
    ("unknown-trigger", "rules", "unknown_trigger", 8, "rules[0].when.deadlin", "'deadline'"),
    ("unknown-action", "rules", "unknown_action", 10, "rules[0].then[0].notfy", "'notify'"),
    ("fire-unknown-event", "rules", "unknown_event", 11, "rules[0].then[1].fire.event", "verified"),
    (
        "deadline-without-time-limit",
        "rules",
        "deadline_without_time_limit",
        8,
        "rules[0].when.deadline",
        "time_limit",
    ),
    (
        "timer-never-started",
        "rules",
        "timer_never_started",
        13,
        "rules[1].when.timer",
        "'decide_reminder'",
    ),
    ("duplicate-rule-id", "rules", "duplicate_rule_id", 12, "rules[1].id", ""),
    (
        "unknown-template",
        "rules",
        "unknown_template",
        10,
        "rules[0].then[0].notify.template",
        "'remind'",
    ),
    ("rules-unknown-actor", "rules", "unknown_actor", 10, "rules[0].then[0].notify.to", "head"),
    ("rules-id-mismatch", "rules", "id_mismatch", 3, "id", "rules-id-mismatch-r1"),
    ("bad-count", "rules", "bad_count", 13, "rules[1].when.count", "lt"),
]

# Mistakes that are rightly reported at more than one place (every step with the limit, ...).
SEVERAL = {"step-cannot-finish", "wargaku-stuck"}  # wargaku-stuck: steps 6 and 7


def check(case: str) -> list[Problem]:
    return check_revision_file(BROKEN / "sop" / case / "r1.yaml", BROKEN / "rules").problems


def test_the_fixtures_hold_at_least_thirty_mistakes() -> None:
    assert len(CASES) >= 30
    folders = {p.name for p in (BROKEN / "sop").iterdir()} - {"no-mistake"}
    assert folders == {c[0] for c in CASES}


def test_the_base_of_the_broken_files_is_valid() -> None:
    spec = load_revision(BROKEN / "sop/no-mistake/r1.yaml", BROKEN / "rules")
    assert [s.id for s in spec.steps] == ["receive", "verify", "decide"]
    assert [r.id for r in spec.rules] == ["decide-late", "decide-reminder"]


@pytest.mark.parametrize(
    ("case", "where", "code", "line", "path", "hint"), CASES, ids=[c[0] for c in CASES]
)
def test_the_mistake_is_named_and_located(
    case: str, where: str, code: str, line: int, path: str, hint: str
) -> None:
    problems = check(case)
    expected_file = f"{case}-r1.yaml" if where == "rules" else f"{case}/r1.yaml"
    found = [p for p in problems if p.code == code and p.line == line]
    assert found, "\n".join(p.format() for p in problems)
    problem = found[0]
    assert problem.path == path
    assert problem.file.endswith(expected_file)
    assert problem.col >= 1
    assert hint in problem.hint
    if case not in SEVERAL:
        assert [p.code for p in problems] == [code], "\n".join(p.format() for p in problems)


@pytest.mark.parametrize("case", [c[0] for c in CASES])
def test_a_broken_file_never_becomes_a_spec(case: str) -> None:
    with pytest.raises(SopInvalid) as info:
        load_revision(BROKEN / "sop" / case / "r1.yaml", BROKEN / "rules")
    assert info.value.problems
    assert all(p.line >= 1 for p in info.value.problems)


def test_problems_print_as_file_line_col_code_path_message_hint() -> None:
    (problem,) = check("unknown-step")
    assert problem.format() == (
        f"{problem.file}:61:35: unknown_step: steps[1].events.verified.to: "
        "no step 'decidee' is defined (did you mean 'decide'?)"
    )
