"""Parser events to plain data plus positions, refusing what is unsafe or ambiguous on the way.

It builds dict, list, str, int, float, bool, None and dates straight from the parser's events, so
it never constructs objects and never expands aliases into copies. It refuses:

- duplicate keys (PyYAML keeps the last one silently), keys that are not text (YAML 1.1 reads
  `no:` / `yes:` / `on:` as booleans; whole numbers are allowed where a format asks for them),
  tags other than the plain YAML types (`!!python/...`);
- alias bombs: every alias adds the size of what it names to a node count, refused past
  `MAX_NODES` before anything is expanded; recursive aliases; nesting deeper than `MAX_DEPTH`;
- a second document in the file.

Positions are 1-based (line, column), keyed by YAML path tuples such as
`("steps", 3, "events", "triage", "to")`, and written into the `Report` it is given.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.resolver import Resolver

from engine.spec.hints import describe
from engine.spec.report import Path, Report, format_path

MAX_NODES = 100_000
MAX_DEPTH = 64

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _MERGE_TAG = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "merge"
_TEXT_TAGS = frozenset({_STR, _TAG + "value", _TAG + "yaml"})
_SCALARS = {
    _TAG + kind: SafeConstructor.yaml_constructors[_TAG + kind]
    for kind in ("null", "bool", "int", "float", "timestamp")
}
_CONSTRUCTOR = SafeConstructor()
_RESOLVER = Resolver()

Entry = tuple[Path, int, int, bool]  # (path, line, col, is the key)


class StopReading(Exception):
    """The file cannot be read further (its problem is already reported)."""


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name


_MERGE = _Marker("<<")  # the `<<` merge key
_SKIP = _Marker("skip")  # a key already reported: its value is read but not kept


class _Frame:
    __slots__ = (
        "kind",
        "refused",
        "value",
        "path",
        "anchor",
        "start",
        "at",
        "key",
        "has_key",
        "lines",
        "merges",
    )

    def __init__(
        self, kind: str, value: Any, path: Path, anchor: str | None, start: int, at: tuple[int, int]
    ) -> None:
        self.kind = kind
        self.refused = False  # its tag was refused: it reads as null
        self.value = value
        self.path = path
        self.anchor = anchor
        self.start = start  # index of its first entry (its own, or its first child's)
        self.at = at
        self.key: Any = None
        self.has_key = False
        self.lines: dict[Any, int] = {}
        self.merges: list[tuple[Any, int, int]] = []


class Builder:
    """Turns parser events into data plus positions, with the limits above.

    `number_keys`: whole-number keys are kept as numbers (a scenario's `sla: {9: met}` names step
    9); otherwise they are refused like every key that is not text."""

    def __init__(self, report: Report, number_keys: bool = False) -> None:
        self.report = report
        self.number_keys = number_keys
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.docs = 0
        self.nodes = 0
        self.aliased = False
        self.anchors: dict[str, tuple[Any, list[Entry], int]] = {}
        self.open_anchors: set[str] = set()
        self.entries: list[Entry] = []

    # --- events ---
    def feed(self, ev: yaml.Event) -> None:
        if isinstance(ev, yaml.ScalarEvent):
            self._scalar(ev)
        elif isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._open(ev)
        elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            self._close()
        elif isinstance(ev, yaml.AliasEvent):
            self._alias(ev)
        elif isinstance(ev, yaml.DocumentStartEvent):
            self.docs += 1
            if self.docs > 1:
                line, col = _pos(ev)
                self.report.add_at(
                    "multiple_documents",
                    line,
                    col,
                    "a second YAML document (`---`): a file holds one document",
                )
                raise StopReading

    def finish(self) -> None:
        values, keys = self.report.values, self.report.keys
        for path, line, col, is_key in self.entries:
            (keys if is_key else values)[path] = (line, col)

    # --- nodes ---
    def _next_path(self) -> Path | None:
        """The path of the node about to be read, or None when it is a mapping key."""
        if not self.stack:
            return ()
        top = self.stack[-1]
        if top.kind == "seq":
            return (*top.path, len(top.value))
        if not top.has_key:
            return None
        key = top.key if isinstance(top.key, str | int) else f"<{getattr(top.key, 'name', '?')}>"
        return (*top.path, key)

    def _count(self, n: int, ev: yaml.Event) -> None:
        self.nodes += n
        if self.nodes > MAX_NODES:
            line, col = _pos(ev)
            path = self._next_path() or ()
            if self.aliased:
                self.report.add_at(
                    "alias_bomb",
                    line,
                    col,
                    f"aliases expand to more than {MAX_NODES:,} values",
                    "these files need few aliases (`*name`): write the values out or share less",
                    path,
                )
            else:
                self.report.add_at(
                    "too_many_nodes",
                    line,
                    col,
                    f"the file holds more than {MAX_NODES:,} values",
                    path=path,
                )
            raise StopReading

    def _scalar(self, ev: yaml.ScalarEvent) -> None:
        self._count(1, ev)
        path = self._next_path()
        line, col = _pos(ev)
        value = self._scalar_value(ev, path)
        if path is not None:
            self.entries.append((path, line, col, False))
            if ev.anchor:
                self.anchors[ev.anchor] = (value, [((), line, col, False)], 1)
        self._deliver(value, line, col, ev.value)

    def _scalar_value(self, ev: yaml.ScalarEvent, path: Path | None) -> Any:
        where = path if path is not None else ()
        tag = ev.tag
        if tag is None:
            tag = _RESOLVER.resolve(yaml.ScalarNode, ev.value, ev.implicit)
        elif tag == "!":
            tag = _STR
        if tag in _TEXT_TAGS:
            return ev.value
        if tag == _MERGE_TAG and path is None:
            return _MERGE
        build = _SCALARS.get(tag)
        if build is None:
            self._bad_tag(tag, ev, where)
            return None
        node = yaml.ScalarNode(tag, ev.value, style=ev.style)
        try:
            return build(_CONSTRUCTOR, node)
        except (ValueError, OverflowError, ConstructorError) as exc:
            if tag != _TAG + "timestamp":
                line, col = _pos(ev)
                self.report.add_at(
                    "bad_scalar", line, col, f"cannot read {ev.value!r}: {exc}", path=where
                )
            return ev.value  # an impossible date stays text; the schema reports it as a date

    def _bad_tag(self, tag: str, ev: yaml.Event, path: Path) -> None:
        line, col = _pos(ev)
        shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
        if tag.startswith(_TAG + "python/"):
            self.report.add_at(
                "python_tag",
                line,
                col,
                f"the tag {shown} asks for a Python object: these files hold plain data only",
                "remove the tag",
                path,
            )
        else:
            self.report.add_at(
                "unknown_tag",
                line,
                col,
                f"the tag {shown} is not allowed: only plain text, numbers, booleans, dates, "
                "lists and mappings",
                "remove the tag",
                path,
            )

    def _open(self, ev: yaml.CollectionStartEvent) -> None:
        self._count(1, ev)
        if len(self.stack) >= MAX_DEPTH:
            line, col = _pos(ev)
            self.report.add_at("too_deep", line, col, f"nesting deeper than {MAX_DEPTH} levels")
            raise StopReading
        is_map = isinstance(ev, yaml.MappingStartEvent)
        path = self._next_path()
        refused = ev.tag not in (None, "!", _MAP if is_map else _SEQ)
        if refused:
            self._bad_tag(str(ev.tag), ev, path or ())
        at = _pos(ev)
        start = len(self.entries)
        if path is None:
            path = (*self.stack[-1].path, "<key>")
        else:
            self.entries.append((path, *at, False))
        frame = _Frame("map" if is_map else "seq", {} if is_map else [], path, ev.anchor, start, at)
        frame.refused = refused
        if ev.anchor:
            self.open_anchors.add(ev.anchor)
        self.stack.append(frame)

    def _close(self) -> None:
        frame = self.stack.pop()
        if frame.merges:
            self._merge(frame)
        line, col = frame.at
        if frame.anchor:
            self.open_anchors.discard(frame.anchor)
            cut = len(frame.path)
            rel = [(p[cut:], ln, c, k) for p, ln, c, k in self.entries[frame.start :]]
            self.anchors[frame.anchor] = (frame.value, rel, len(rel))
        self._deliver(None if frame.refused else frame.value, line, col, None)

    def _alias(self, ev: yaml.AliasEvent) -> None:
        line, col = _pos(ev)
        if ev.anchor in self.open_anchors:
            self.report.add_at(
                "recursive_alias",
                line,
                col,
                f"the alias *{ev.anchor} is inside its own anchor",
                path=self._next_path() or (),
            )
            raise StopReading
        if ev.anchor not in self.anchors:
            self.report.add_at(
                "undefined_alias",
                line,
                col,
                f"the alias *{ev.anchor} names no anchor above it",
                "define it first with &name on the value it stands for",
                self._next_path() or (),
            )
            raise StopReading
        value, rel, size = self.anchors[ev.anchor]
        self.aliased = True
        self._count(size, ev)
        path = self._next_path()
        if path is not None:
            self.entries.append((path, line, col, False))
            self.entries.extend((path + p, ln, c, k) for p, ln, c, k in rel if p)
        self._deliver(value, line, col, None)

    # --- placing values ---
    def _deliver(self, value: Any, line: int, col: int, text: str | None) -> None:
        if not self.stack:
            self.root = value
            return
        top = self.stack[-1]
        if top.kind == "seq":
            top.value.append(value)
        elif not top.has_key:
            self._take_key(top, value, line, col, text)
        else:
            top.has_key = False
            if top.key is _MERGE:
                top.merges.append((value, line, col))
            elif top.key is not _SKIP:
                top.value[top.key] = value

    def _is_key(self, key: Any) -> bool:
        if isinstance(key, bool):
            return False
        return isinstance(key, str) or (self.number_keys and isinstance(key, int))

    def _take_key(self, top: _Frame, key: Any, line: int, col: int, text: str | None) -> None:
        top.has_key = True
        if key is _MERGE:
            top.key = _MERGE
            return
        top.key = _SKIP
        shown = text if text is not None else "?"
        if not self._is_key(key):
            self.report.values[(*top.path, shown)] = (line, col)
            self.report.add(
                "non_string_key",
                (*top.path, shown),
                f"the key {shown!r} is read as {describe(key)}, not as text",
                _key_hint(key, text, top.path, self.number_keys),
            )
        elif key in top.lines:
            self.report.keys[(*top.path, key)] = (line, col)
            self.report.add(
                "duplicate_key",
                (*top.path, key),
                f"the key {key!r} is written twice in this mapping",
                f"first written at line {top.lines[key]}; keep one",
            )
        else:
            top.key = key
            top.lines[key] = line
            self.entries.append(((*top.path, key), line, col, True))

    def _merge(self, frame: _Frame) -> None:
        for value, line, col in frame.merges:
            for src in value if isinstance(value, list) else [value]:
                if not isinstance(src, dict):
                    self.report.add_at(
                        "bad_merge", line, col, "`<<:` must name a mapping", path=frame.path
                    )
                    continue
                for key, item in src.items():
                    if key not in frame.value:
                        frame.value[key] = item
                        self.entries.append(((*frame.path, key), line, col, True))


def _pos(ev: yaml.Event) -> tuple[int, int]:
    mark = ev.start_mark
    return (mark.line + 1, mark.column + 1) if mark else (1, 1)


def _key_hint(key: Any, text: str | None, parent: Path, number_keys: bool) -> str:
    """How to write the key; `no:` in an SOP file most often meant a step's `number:`."""
    if isinstance(key, bool) and text is not None:
        hint = f"YAML 1.1 reads `{text}:` as a boolean: write it in quotes ('{text}':)"
        if text.lower() == "no" and not number_keys:
            where = " for a step's row number" if "steps" in parent else ""
            return f"YAML 1.1 reads `no:` as false: write `number:`{where}, or quote it ('no':)"
        return hint
    if text is not None:
        return f"write the key in quotes ('{text}':)"
    return f"a key under {format_path(parent) or 'the top level'} must be plain text"
