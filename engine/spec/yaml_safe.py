"""The one YAML reader: every file kind (SOP revisions, rules files, state maps, scenario and
events files) goes through it, with the same limits, and comes out as plain data plus the
position of every value and key.

    read_yaml(path, display=None, number_keys=False) -> YamlDoc     the file, checked before read
    parse_yaml(raw, report, number_keys=False) -> YamlDoc           bytes already in hand

Here, before the parser runs, it refuses files over `MAX_BYTES` (checked before reading), bytes
that are not UTF-8, and tab indentation; `engine.spec.yaml_builder` refuses, while it builds,
duplicate and non-text keys, refused tags, alias bombs, recursive aliases, deep nesting and a
second document. Every refusal is a located `Problem` in the returned `Report`, whose positions
(1-based line and column keyed by YAML path tuples) later checks use to locate theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

import yaml

from engine.spec.report import Report
from engine.spec.yaml_builder import MAX_DEPTH, MAX_NODES, Builder, StopReading

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "YamlDoc", "parse_yaml", "read_yaml"]

MAX_BYTES = 1_000_000
MAX_TAB_LINES = 10

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class YamlDoc:
    """What a file held and its problems. `data` is None when the file could not be read at all;
    after duplicate keys, non-text keys or refused tags it holds the rest (the first of duplicate
    keys, no value for a refused tag), so later checks can still report what else is wrong.
    `report.values` / `report.keys` are the position map."""

    data: Any
    report: Report
    raw: bytes


def read_yaml(path: FsPath, display: str | None = None, number_keys: bool = False) -> YamlDoc:
    """Read one YAML file safely; problems are in the returned report."""
    report = Report(display or str(path))
    try:
        size = path.stat().st_size
        if not path.is_file():
            report.add_at("not_a_file", 1, 1, "not a file")
            return YamlDoc(None, report, b"")
    except OSError as exc:
        report.add_at("file_not_found", 1, 1, f"cannot read the file: {exc.strerror}")
        return YamlDoc(None, report, b"")
    if size > MAX_BYTES:
        _too_large(report, size)
        return YamlDoc(None, report, b"")
    return parse_yaml(path.read_bytes(), report, number_keys)


def _too_large(report: Report, size: int) -> None:
    report.add_at(
        "file_too_large",
        1,
        1,
        f"the file has {size:,} bytes; the limit is {MAX_BYTES:,}",
        "these files are tens of kilobytes: split it or remove what does not belong",
    )


def parse_yaml(raw: bytes, report: Report, number_keys: bool = False) -> YamlDoc:
    """`number_keys`: keep whole-number keys (see `Builder`) instead of refusing them."""
    if len(raw) > MAX_BYTES:
        _too_large(report, len(raw))
        return YamlDoc(None, report, raw)
    text = _decode(raw, report)
    if text is None:
        return YamlDoc(None, report, raw)
    tab_lines = _check_tabs(text, report)
    builder = Builder(report, number_keys)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        if line not in tab_lines:
            report.add_at(
                "yaml_syntax", line, col, f"YAML syntax error: {exc.problem}", _began(exc)
            )
        return YamlDoc(None, report, raw)
    except yaml.YAMLError as exc:
        report.add_at("yaml_syntax", 1, 1, f"YAML syntax error: {exc}")
        return YamlDoc(None, report, raw)
    except StopReading:
        return YamlDoc(None, report, raw)
    if tab_lines:
        return YamlDoc(None, report, raw)
    builder.finish()
    if builder.root is None:
        report.add_at("empty_file", 1, 1, "the file holds no YAML document")
    return YamlDoc(builder.root, report, raw)


def _began(exc: yaml.MarkedYAMLError) -> str:
    """Where the construct the parser was reading began: often the line to fix."""
    if not exc.context:
        return ""
    where = f" at line {exc.context_mark.line + 1}" if exc.context_mark else ""
    return f"{exc.context.removeprefix('while ')}, which began{where}"


def _decode(raw: bytes, report: Report) -> str | None:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        report.add_at(
            "not_utf8",
            line,
            col,
            f"byte 0x{raw[exc.start]:02x} is not UTF-8 text",
            "save the file as UTF-8",
        )
        return None


def _check_tabs(text: str, report: Report) -> set[int]:
    """Every line indented with a tab (the first `MAX_TAB_LINES` reported one by one): the
    parser's own error for one (a character that "cannot start any token") does not say why."""
    if "\t" not in text:
        return set()
    lines: set[int] = set()
    for no, line in enumerate(text.split("\n"), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            lines.add(no)
            if len(lines) <= MAX_TAB_LINES:
                report.add_at(
                    "tab_indent",
                    no,
                    indent.index("\t") + 1,
                    "a tab in the indentation: YAML indents with spaces only",
                    "replace the tab with spaces",
                )
    if len(lines) > MAX_TAB_LINES:
        report.add_at(
            "tab_indent",
            max(lines),
            1,
            f"{len(lines) - MAX_TAB_LINES} more lines are indented with tabs",
            "replace every tab with spaces",
        )
    return lines
