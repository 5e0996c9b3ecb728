"""Checks that need the whole seed around them, and a fuzz test: no input crashes the loader."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.errors import Problem, SopInvalid
from engine.spec.durations import UNIT_WORDS, parse_duration
from engine.spec.load import load_revision
from engine.spec.validate import check_revision_file

ROOT = Path(__file__).resolve().parents[3]
SEED = ROOT / "sop/surabaya-complaints/r1.yaml"
SEED_RULES = ROOT / "rules/surabaya-complaints-r1.yaml"


def variant(tmp: Path, old: str = "", new: str = "", rules: tuple[str, str] = ("", "")) -> Path:
    """The seed with one text replaced (in the revision and/or its rules file)."""
    (tmp / "sop/surabaya-complaints").mkdir(parents=True, exist_ok=True)
    (tmp / "rules").mkdir(exist_ok=True)
    text = SEED.read_text()
    rtext = SEED_RULES.read_text()
    if old:
        assert old in text
        text = text.replace(old, new, 1)
    if rules[0]:
        assert rules[0] in rtext
        rtext = rtext.replace(rules[0], rules[1], 1)
    path = tmp / "sop/surabaya-complaints/r1.yaml"
    path.write_text(text)
    (tmp / "rules/surabaya-complaints-r1.yaml").write_text(rtext)
    return path


def line_of(text: str) -> int:
    """The seed's line (from 1) holding `text` first: where a problem with that text is located."""
    seed = SEED.read_text()
    return seed[: seed.index(text)].count("\n") + 1


def problems_of(path: Path) -> list[Problem]:
    return check_revision_file(path).problems


def only(path: Path) -> Problem:
    problems = problems_of(path)
    assert len(problems) == 1, "\n".join(p.format() for p in problems)
    return problems[0]


def test_a_schedule_trigger_needs_a_periodic_step(tmp_path: Path) -> None:
    p = only(variant(tmp_path, rules=("{schedule: monev_report}", "{schedule: validate}")))
    assert p.code == "not_periodic"
    assert p.path.endswith("].when.schedule")


def test_count_filters_timer_triggers_only(tmp_path: Path) -> None:
    rules = ("when: {event: routed}", "when: {event: routed, count: {lt: 2}}")
    p = only(variant(tmp_path, rules=rules))
    assert (p.code, p.path) == ("filter_not_allowed", "rules[0].when.count")


def test_a_rule_needs_one_trigger(tmp_path: Path) -> None:
    p = only(
        variant(
            tmp_path, rules=("when: {event: routed}", "when: {event: routed, entered: validate}")
        )
    )
    assert p.code == "several_triggers"


def test_action_parameters_are_checked_against_the_registry(tmp_path: Path) -> None:
    rules = (
        "start_timer: {name: first_response_reminder, every: 1 working day,",
        "start_timer: {name: first_response_reminder, every: 1 hr,",
    )
    p = only(variant(tmp_path, rules=rules))
    assert (p.code, p.path) == ("bad_duration", "rules[1].then[1].start_timer.every")


def test_a_notify_param_not_in_the_registry_is_an_unknown_key(tmp_path: Path) -> None:
    rules = ("template: routed_to_agency}", "template: routed_to_agency, chanel_field: channel}")
    p = only(variant(tmp_path, rules=rules))
    assert (p.code, p.hint) == ("unknown_key", "did you mean 'channel_field'?")


def test_a_template_with_a_stray_dollar_is_refused(tmp_path: Path) -> None:
    rules = ('result_reply: "${reply_text}"', 'result_reply: "${reply_text} $"')
    p = only(variant(tmp_path, rules=rules))
    assert (p.code, p.path) == ("bad_template", "templates.result_reply")


def test_a_condition_on_an_unknown_field_is_refused(tmp_path: Path) -> None:
    p = only(
        variant(tmp_path, "{field: channel, equals: wargaku}", "{field: chanel, equals: wargaku}")
    )
    assert (p.code, p.hint) == ("unknown_field", "did you mean 'channel'?")
    assert p.path == "steps[1].events.triage.branches[0].when.field"


def test_combinators_are_checked_inside(tmp_path: Path) -> None:
    old = "{field: channel, equals: wargaku}"
    new = "{all: [{field: channel, in: [wargaku, fax]}, {not: {data: x, gt: true}}]}"
    problems = problems_of(variant(tmp_path, old, new))
    assert [(p.code, p.path) for p in problems] == [
        ("unknown_choice", "steps[1].events.triage.branches[0].when.all[0].in[1]"),
        ("wrong_type", "steps[1].events.triage.branches[0].when.all[1].not.gt"),
    ]


def test_a_choice_field_needs_its_choices(tmp_path: Path) -> None:
    lines = SEED.read_text().splitlines(keepends=True)
    old = next(line for line in lines if line.strip().startswith("choices: [wargaku"))
    problems = problems_of(variant(tmp_path, old, ""))
    assert ("missing_key", "fields.channel.choices") in [(p.code, p.path) for p in problems]


def test_an_unknown_holiday_country_gets_a_hint(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "{country: ID,", "{country: ZZ,"))
    assert (p.code, p.path) == ("unknown_country", "calendars.working.holidays.country")


def test_an_unknown_holiday_category_is_refused(tmp_path: Path) -> None:
    p = only(
        variant(tmp_path, "categories: [public, government]", "categories: [public, goverment]")
    )
    assert (p.code, p.hint) == ("unknown_holiday_category", "did you mean 'government'?")


def test_a_periodic_step_cannot_be_a_target(tmp_path: Path) -> None:
    p = only(
        variant(
            tmp_path, "replied: {by: [staff], to: end,", "replied: {by: [staff], to: monev_report,"
        )
    )
    assert p.code == "periodic_target"


def test_the_start_must_name_a_step(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "start: receive_inquiry", "start: receive_inqury"))
    assert (p.code, p.path, p.hint) == ("unknown_step", "start", "did you mean 'receive_inquiry'?")


def test_a_rules_name_cannot_leave_the_rules_folder(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "rules: [surabaya-complaints-r1]", "rules: [../sop/x]"))
    assert p.code == "bad_rules_name"


def test_a_misspelt_key_does_not_also_report_the_key_it_meant(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "    output: Pengaduan\n", "    ouptut: Pengaduan\n"))
    assert (p.code, p.hint) == ("unknown_key", "did you mean 'output'?")


def test_an_event_by_a_non_actor_gets_a_hint(tmp_path: Path) -> None:
    p = only(variant(tmp_path, "agency_responded: {by: [agency]", "agency_responded: {by: [agncy]"))
    assert (p.code, p.hint) == ("unknown_actor", "did you mean 'agency'?")


def test_an_unknown_status_on_an_event_or_a_branch_is_located_with_a_hint(tmp_path: Path) -> None:
    old = "within_authority: {by: [staff], to: route_to_agency,"
    p = only(variant(tmp_path, old, old.replace("to:", "status: in_progres, to:")))
    assert (p.code, p.hint) == ("unknown_status", "did you mean 'in_progress'?")
    assert p.path == "steps[4].events.within_authority.status" and p.line == line_of(old)
    old = "- {to: enter_into_app}"
    p = only(variant(tmp_path, old, "- {to: enter_into_app, status: folowed_up}"))
    assert (p.code, p.hint) == ("unknown_status", "did you mean 'followed_up'?")
    assert p.path == "steps[1].events.triage.branches[1].status" and p.line == line_of(old)


def test_a_precondition_on_an_unknown_field_is_located_with_a_hint(tmp_path: Path) -> None:
    old = "routed: {by: [staff], to: await_agency_response,"
    p = only(variant(tmp_path, old, old.replace("to:", "needs: [category, agncy], to:")))
    assert (p.code, p.hint) == ("unknown_field", "did you mean 'agency'?")
    assert p.path == "steps[6].events.routed.needs[1]"
    assert p.format().startswith(f"{tmp_path}/sop/surabaya-complaints/r1.yaml:{line_of(old)}:")


# --- fuzz: any change to the seed either loads or raises SopInvalid with located problems ---
SEED_DATA = yaml.safe_load(SEED.read_text())
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 30),
    st.sampled_from(["", "x", "end", "staff", "1 working day", "2023-02-30", "in_progress"]),
    st.lists(st.sampled_from(["staff", "x", "channel"]), max_size=2),
    st.dictionaries(
        st.sampled_from(["to", "by", "field", "equals", "x"]), st.just("x"), max_size=2
    ),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(SEED_DATA)


def _mutate(data: Any, path: tuple[Any, ...], how: str, value: Any) -> Any:
    data = copy.deepcopy(data)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if how == "delete":
        del parent[last]
    elif how == "rename" and isinstance(parent, dict):
        parent[f"{last}x"] = parent.pop(last)
    else:
        parent[last] = value
    return data


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(PATHS),
    how=st.sampled_from(["delete", "rename", "replace"]),
    value=ODD_VALUES,
)
def test_no_change_to_the_seed_crashes_the_loader(
    tmp_path: Path, path: tuple[Any, ...], how: str, value: Any
) -> None:
    target = variant(tmp_path)
    target.write_text(yaml.safe_dump(_mutate(SEED_DATA, path, how, value), allow_unicode=True))
    try:
        spec = load_revision(target)
    except SopInvalid as exc:
        assert exc.problems
        assert all(p.line >= 1 and p.code for p in exc.problems)
    else:
        assert len(spec.steps) >= 15


def test_the_schema_accepts_what_the_engine_runs() -> None:
    from typing import get_args

    from engine.core.schedule import PERIODS as ENGINE_PERIODS
    from engine.spec.model import DurationUnit, FieldType
    from engine.spec.schema import FIELD_TYPES, PERIODS

    assert PERIODS == ENGINE_PERIODS
    assert get_args(FieldType) == FIELD_TYPES
    assert {parse_duration(f"1 {w}").unit for w in UNIT_WORDS} == set(get_args(DurationUnit))


def test_a_field_may_lower_its_types_length_but_not_raise_it(tmp_path: Path) -> None:
    loaded = load_revision(
        variant(
            tmp_path,
            "complaint_text: {type: text, label: Isi Pengaduan}",
            "complaint_text: {type: text, label: Isi Pengaduan, max_length: 2000}",
        )
    )
    field = next(f for f in loaded.fields if f.id == "complaint_text")
    assert (field.max_length, field.longest) == (2000, 2000)
    p = only(
        variant(
            tmp_path,
            "reporter_name: {type: string, label: Nama Warga, personal: true}",
            "reporter_name: {type: string, label: Nama Warga, personal: true, max_length: 501}",
        )
    )
    assert (p.code, p.path) == ("bad_value", "fields.reporter_name.max_length")
    assert "500" in p.message and "type: text" in p.hint


def test_max_length_belongs_to_text_fields_only(tmp_path: Path) -> None:
    p = only(
        variant(
            tmp_path,
            "  channel:\n    type: choice\n",
            "  channel:\n    type: choice\n    max_length: 20\n",
        )
    )
    assert (p.code, p.path) == ("max_length_not_allowed", "fields.channel.max_length")
    assert "string, text, phone, email, url" in p.hint
