"""`sop diff A B`: what changed between two revisions (engine.authoring.diff), for people and tools.

A and B are `SOP@REVISION` (a file `<root>/<SOP>/<REVISION>.yaml`), `SOP` (its revision with
the latest effective date) or a path to a revision file (its rules from `rules/` beside its
`sop/` folder, as `sop validate` reads it). `--rules` overrides the rules folder for both.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from engine.authoring.diff import diff_specs
from engine.cli import options
from engine.spec.catalog import Catalog, revision_files
from engine.spec.hints import suggest
from engine.spec.load import spec_from_checked
from engine.spec.model import Spec
from engine.spec.validate import check_revision_file

COMMANDS: list[click.Command] = []


def _is_path(ref: str) -> bool:
    return ref.endswith((".yaml", ".yml")) or Path(ref).is_file()


def _load(path: Path, rules_dir: Path | None) -> Spec:
    checked = check_revision_file(path, rules_dir)
    if not checked.ok:
        for p in checked.problems:
            click.echo(p.format(), err=True)
        click.echo(f"{len(checked.problems)} problem(s): {path} is not a valid revision", err=True)
        sys.exit(1)
    return spec_from_checked(checked)


def resolve(ref: str, root: Path, rules_dir: Path | None) -> Spec:
    """The Spec a command-line reference names (see the module docstring)."""
    if _is_path(ref):
        path = Path(ref)
        if not path.is_file():
            raise click.UsageError(f"no revision file {ref}")
        return _load(path, rules_dir)
    sop_id, _, revision = ref.partition("@")
    folder = root / sop_id
    if not sop_id or not folder.is_dir():
        known = sorted({p.parent.name for p in revision_files(root)})
        raise click.UsageError(f"no SOP {sop_id!r} under {root} ({suggest(sop_id, known)})")
    rules = rules_dir or root.resolve().parent / "rules"
    if revision:
        path = folder / f"{revision}.yaml"
        if not path.is_file():
            known = sorted(p.stem for p in folder.glob("*.yaml"))
            raise click.UsageError(
                f"SOP {sop_id!r} has no revision {revision!r} ({suggest(revision, known)})"
            )
        return _load(path, rules)
    catalog = Catalog()
    for path in sorted(folder.glob("*.yaml")):
        catalog.add(_load(path, rules))
    return catalog.get(sop_id)


@click.command("diff")
@click.argument("base", metavar="A")
@click.argument("target", metavar="B")
@options.sop_root
@options.rules_dir
@options.output_format(
    "text",
    "markdown",
    "json",
    help="text: coloured on a terminal; markdown: for audit reports; json: for tools.",
)
def diff_cmd(base: str, target: str, root: Path, rules_dir: Path | None, fmt: str) -> None:
    """What changed from revision A to revision B, matched by step id and number.

    A and B: SOP@REVISION, SOP (its latest revision) or a revision file's path, e.g.
    `sop diff permits@r1 drafts/sop/permits/r2.yaml`.
    Exits 0 whether or not anything changed; 1 when a revision is invalid.
    """
    result = diff_specs(resolve(base, root, rules_dir), resolve(target, root, rules_dir))
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo(result.to_markdown(), nl=False)
    else:
        click.echo(result.to_text(color=True), nl=False)  # click drops colours off a terminal


COMMANDS += [diff_cmd]
