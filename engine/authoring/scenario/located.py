"""Safe YAML loading that remembers where each value was written (file, line, column).

`load_located(text, file)` returns plain dicts and lists (subclasses) whose `.at(key)` gives
the 1-based (line, col) of an entry, so every problem found later can name its location.
Only `yaml.SafeLoader` constructors run: no tag can build an arbitrary object.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from engine.errors import Problem, SopInvalid

Loc = tuple[int, int]


class LDict(dict[Any, Any]):
    """A mapping from YAML with the location of itself and of each of its values."""

    loc: Loc = (0, 0)
    locs: dict[Any, Loc]

    def at(self, key: Any) -> Loc:
        return self.locs.get(key, self.loc)


class LList(list[Any]):
    """A sequence from YAML with the location of itself and of each item."""

    loc: Loc = (0, 0)
    locs: list[Loc]

    def at(self, index: int) -> Loc:
        return self.locs[index] if 0 <= index < len(self.locs) else self.loc


def _mark(node: Node) -> Loc:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Loader(yaml.SafeLoader):
    duplicates: list[tuple[Any, Loc]]


def _mapping(loader: _Loader, node: MappingNode) -> LDict:
    # A key written twice is a mistake; a key that overrides one merged in (`<<: *x`) is not.
    written: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        if key in written:
            loader.duplicates.append((key, _mark(key_node)))
        written.add(key)
    loader.flatten_mapping(node)
    out = LDict()
    out.loc, out.locs = _mark(node), {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        out[key] = loader.construct_object(value_node, deep=True)
        out.locs[key] = _mark(value_node)
    return out


def _sequence(loader: _Loader, node: SequenceNode) -> LList:
    out = LList(loader.construct_object(child, deep=True) for child in node.value)
    out.loc, out.locs = _mark(node), [_mark(child) for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_located(text: str, file: str = "") -> Any:
    """Parse one YAML document; raise SopInvalid (located) on syntax errors or duplicate keys."""
    loader = _Loader(text)
    loader.duplicates = []
    try:
        doc = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = Problem("yaml_syntax", str(exc.problem or exc), "", file, line, col)
        raise SopInvalid([problem]) from None
    except yaml.YAMLError as exc:
        raise SopInvalid([Problem("yaml_syntax", str(exc), "", file)]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise SopInvalid(
            [
                Problem("duplicate_key", f"key {key!r} is written twice", str(key), file, *loc)
                for key, loc in loader.duplicates
            ]
        )
    return doc
