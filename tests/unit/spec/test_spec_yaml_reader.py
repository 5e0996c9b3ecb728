"""The safe YAML reader: what it refuses, and the positions it records."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from engine.spec.report import Report
from engine.spec.yaml_safe import MAX_BYTES, parse_yaml, read_yaml

ROOT = Path(__file__).resolve().parents[3]


def parse(text: str | bytes) -> tuple[object, Report]:
    raw = text.encode() if isinstance(text, str) else text
    doc = parse_yaml(raw, Report("t.yaml"))
    return doc.data, doc.report


def codes(report: Report) -> list[str]:
    return [p.code for p in report.problems]


def test_a_ten_megabyte_file_is_refused_without_being_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.write(b"legal_basis:\n" + b"  - x\n" * (10 * 1024 * 1024 // 6))
    doc = read_yaml(big)
    assert doc.data is None
    assert codes(doc.report) == ["file_too_large"]
    assert f"{MAX_BYTES:,}" in doc.report.problems[0].message


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    data, report = parse("\n".join(lines) + "\nboom: *a9\n")
    assert data is None
    assert codes(report) == ["alias_bomb"]


def test_deep_nesting_is_refused() -> None:
    data, report = parse("[" * 500 + "]" * 500)
    assert data is None
    assert codes(report) == ["too_deep"]
    data, report = parse("[" * 100_000 + "]" * 100_000)  # libyaml's own limit: no crash
    assert data is None
    assert codes(report) == ["yaml_syntax"]


def test_plain_yaml_reads_as_safe_load_would() -> None:
    data, report = parse(
        "a: 1\nb: 1.5\nc: true\nd: ~\ne: 2023-08-31\nf: '2023-08-31'\ng: [x, 'y']\nh: {k: v}\n"
    )
    assert report.ok
    assert data == {
        "a": 1,
        "b": 1.5,
        "c": True,
        "d": None,
        "e": date(2023, 8, 31),
        "f": "2023-08-31",
        "g": ["x", "y"],
        "h": {"k": "v"},
    }


def test_the_seed_reads_the_same_as_with_safe_load() -> None:
    import yaml

    path = ROOT / "sop/surabaya-complaints/r1.yaml"
    doc = read_yaml(path)
    assert doc.report.ok
    assert doc.data == yaml.safe_load(path.read_text(encoding="utf-8"))


def test_positions_are_recorded_for_values_and_keys() -> None:
    data, report = parse("steps:\n  - id: a\n    events:\n      go: {to: b}\n")
    assert report.values[("steps", 0, "id")] == (2, 9)
    assert report.keys[("steps", 0, "events", "go")] == (4, 7)
    assert report.values[("steps", 0, "events", "go", "to")] == (4, 16)


def test_values_reached_through_an_alias_point_at_the_anchor_text() -> None:
    text = "first: &items\n  - {fields: [a]}\n  - {fields: [b]}\nsecond: *items\n"
    data, report = parse(text)
    assert data["second"] is data["first"]
    assert report.values[("second",)] == (4, 9)  # the alias itself
    assert report.values[("second", 1, "fields", 0)] == (3, 15)  # inside the anchor


def test_merge_keys_merge_and_explicit_keys_win() -> None:
    data, report = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert report.ok
    assert data["use"] == {"x": 1, "y": 3}


def test_duplicate_keys_are_refused_at_the_second_one() -> None:
    _, report = parse("a: 1\nb: 2\na: 3\n")
    (p,) = report.problems
    assert (p.code, p.line, p.path) == ("duplicate_key", 3, "a")
    assert "line 1" in p.hint


def test_yes_and_on_keys_are_refused_with_a_quoting_hint() -> None:
    _, report = parse("on: 1\n")
    (p,) = report.problems
    assert p.code == "non_string_key"
    assert "'on':" in p.hint


def test_a_number_key_is_refused() -> None:
    _, report = parse("actors:\n  1: {label: x}\n")
    (p,) = report.problems
    assert (p.code, p.line, p.path) == ("non_string_key", 2, "actors.1")


def test_python_tags_never_build_objects() -> None:
    data, report = parse("a: !!python/object/apply:os.system ['false']\nb: !!python/none ''\n")
    assert codes(report) == ["python_tag", "python_tag"]
    assert data == {"a": None, "b": None}


def test_an_explicit_tag_that_does_not_fit_is_reported() -> None:
    _, report = parse("a: !!int abc\n")
    assert codes(report) == ["bad_scalar"]


def test_a_bom_is_accepted_and_latin1_is_refused_at_its_byte() -> None:
    data, report = parse("\ufeffa: b\n".encode())
    assert report.ok and data == {"a": "b"}
    _, report = parse(b"a: b\nc: Jos\xe9\n")
    (p,) = report.problems
    assert (p.code, p.line, p.col) == ("not_utf8", 2, 7)


def test_every_tab_line_is_reported_and_stops_the_file() -> None:
    data, report = parse("a:\n\tb: 1\n\tc: 2\n")
    assert data is None
    assert [(p.code, p.line) for p in report.problems] == [("tab_indent", 2), ("tab_indent", 3)]


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    doc = read_yaml(tmp_path / "nope.yaml")
    assert codes(doc.report) == ["file_not_found"]


def test_number_keys_are_kept_only_where_a_format_asks_for_them() -> None:
    text = b"sla:\n  9: met\n  no: met\n"
    doc = parse_yaml(text, Report("s.yaml"), number_keys=True)
    assert doc.data == {"sla": {9: "met"}}
    assert doc.report.values[("sla", 9)] == (2, 6)
    assert [(p.code, p.line) for p in doc.report.problems] == [("non_string_key", 3)]
    _, report = parse(text)  # SOP and rules files: every key is text
    assert codes(report) == ["non_string_key", "non_string_key"]
