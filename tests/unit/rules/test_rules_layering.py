"""durable_rules stays behind one adapter: no other module of the project imports it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.seed import ROOT

DURABLE = {"durable", "durable_rules_engine"}


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, by full dotted name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_only_the_adapter_imports_durable_rules() -> None:
    importers = sorted(
        p.relative_to(ROOT).as_posix()
        for folder in ("engine", "api")
        for p in (ROOT / folder).rglob("*.py")
        if DURABLE & _top(_imports(p))
    )
    assert importers == ["engine/core/rules_engine.py"]


def test_the_neutral_layer_needs_no_rules_engine() -> None:
    for name in ("actions.py", "compiled.py", "compile.py", "validate.py", "reasons.py"):
        imported = _imports(ROOT / "engine" / "spec" / "rules" / name)
        assert not DURABLE & _top(imported), name
        assert "engine.core.rules_engine" not in imported, name
