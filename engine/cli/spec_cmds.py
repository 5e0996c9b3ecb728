"""`sop validate`, `sop list` and `sop show`: check SOP files and print revisions.
Subcommands of `sop` (see engine/cli/__init__.py); the format is docs/sop-format.md."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import click

from engine.authoring.form import render_form, spec_as_dict
from engine.cli import options
from engine.errors import Problem
from engine.spec import bundled
from engine.spec.catalog import Catalog, integration_problems, revision_files
from engine.spec.hints import suggest
from engine.spec.load import spec_from_checked
from engine.spec.validate import check_revision_file, display, validate_paths

COMMANDS: list[click.Command] = []

_root = options.sop_root
_rules = options.rules_dir
_format = options.output_format()


def _rules_dir(root: Path, rules_dir: Path | None) -> Path:
    return rules_dir or root.resolve().parent / "rules"


def _fail(problems: list[Problem], fmt: str = "text") -> None:
    if fmt == "json":
        payload = {"valid": False, "problems": [p.as_dict() for p in problems]}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(p.format(), err=True)
        click.echo(f"{len(problems)} problem(s)", err=True)
    sys.exit(1)


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_root
@_rules
@_format
def validate_cmd(paths: tuple[Path, ...], root: Path, rules_dir: Path | None, fmt: str) -> None:
    """Check SOP revision files and the rules files they name.

    PATHS are files or folders (default: the --root folder). Prints every problem as
    `file:line:col: code: path: message (hint)`; exits 0 when all is valid, 1 otherwise.
    """
    targets = list(paths) or [root]
    files, problems = validate_paths(targets, rules_dir)
    problems += integration_problems(files, rules_dir)  # sop/<id>/integrations/, when valid
    if not files and not problems:
        problems = [Problem("no_files", "no YAML files found", file=", ".join(map(str, targets)))]
    if fmt == "json":
        payload: dict[str, Any] = {
            "valid": not problems,
            "files": [display(f) for f in files],
            "problems": [p.as_dict() for p in problems],
        }
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(p.format())
        n = len(files)
        if problems:
            click.echo(f"{len(problems)} problem(s) in {n} file(s) checked")
        else:
            click.echo(f"ok: {n} file(s) valid")
    sys.exit(1 if problems else 0)


@click.command("list")
@_root
@_rules
@_format
def list_cmd(root: Path, rules_dir: Path | None, fmt: str) -> None:
    """List the SOPs and their revisions: effective dates, content hashes."""
    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for path in revision_files(root):
        checked = check_revision_file(path, _rules_dir(root, rules_dir))
        if not checked.ok:
            problems += checked.problems
            rows.append({"sop": path.parent.name, "revision": path.stem, "valid": False})
            continue
        spec = spec_from_checked(checked)
        ident = spec.identity
        rows.append(
            {
                "sop": spec.sop_id,
                "revision": spec.revision,
                "valid": True,
                "number": ident.number,
                "name": ident.name,
                "made": ident.made.isoformat() if ident.made else None,
                "effective": ident.governs_from.isoformat(),
                "steps": len(spec.steps),
                "rules": len(spec.rules),
                "content_hash": spec.content_hash,
            }
        )
    rows.sort(key=lambda r: (r["sop"], r.get("effective", ""), r["revision"]))
    if not rows:
        raise click.ClickException(bundled.missing_hint(root))
    if fmt == "json":
        click.echo(json.dumps({"revisions": rows}, indent=2, ensure_ascii=False))
    else:
        _print_list(rows, root)
    if problems:
        _fail(problems)


def _print_list(rows: list[dict[str, Any]], root: Path) -> None:
    click.echo(f"{'SOP@REVISION':<32} {'EFFECTIVE':<10}  {'STEPS':>5}  {'HASH':<12}  NAME")
    for r in rows:
        ref = f"{r['sop']}@{r['revision']}"
        if not r["valid"]:
            click.echo(f"{ref:<32} INVALID (run `sop validate {root}/{r['sop']}`)")
            continue
        name = r["name"] if len(r["name"]) <= 60 else r["name"][:57] + "..."
        click.echo(
            f"{ref:<32} {r['effective']:<10}  {r['steps']:>5}  {r['content_hash'][:12]}  {name}"
        )


@click.command("show")
@click.argument("ref", metavar="SOP[@REVISION]")
@_root
@_rules
@_format
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Line width.")
def show_cmd(ref: str, root: Path, rules_dir: Path | None, fmt: str, width: int | None) -> None:
    """Print a revision like the paper form (Permenpan RB 35/2012): identity block,
    legal basis and the other sections, then the activity table. Without @REVISION: the
    revision with the latest effective date."""
    sop_id, _, revision = ref.partition("@")
    folder = root / sop_id
    if not sop_id or not folder.is_dir():
        known = sorted(p.parent.name for p in revision_files(root))
        raise click.UsageError(f"no SOP {sop_id!r} under {root} ({suggest(sop_id, known)})")
    files = [folder / f"{revision}.yaml"] if revision else sorted(folder.glob("*.yaml"))
    if revision and not files[0].is_file():
        known = sorted(p.stem for p in folder.glob("*.yaml"))
        raise click.UsageError(
            f"SOP {sop_id!r} has no revision {revision!r} ({suggest(revision, known)})"
        )
    catalog = Catalog()
    problems: list[Problem] = []
    for path in files:
        checked = check_revision_file(path, _rules_dir(root, rules_dir))
        problems += checked.problems
        if checked.ok:
            catalog.add(spec_from_checked(checked))
    if problems:
        _fail(problems, fmt)
    spec = catalog.get(sop_id, revision or None)
    if fmt == "json":
        click.echo(json.dumps(spec_as_dict(spec), indent=2, ensure_ascii=False))
    else:
        click.echo(render_form(spec, width or shutil.get_terminal_size((160, 40)).columns))


COMMANDS += [validate_cmd, list_cmd, show_cmd]


@click.command("schema")
@click.argument("kind", type=click.Choice(["revision", "rules"]), default="revision")
def schema_cmd(kind: str) -> None:
    """Print the JSON Schema of a revision file (or of a rules file) for an editor.

    Generated from the validator's own structure checks: keys, types, ids and required keys.
    Save it and name it in a modeline: `# yaml-language-server: $schema=<path>`."""
    from engine.spec.json_schema import json_schema

    click.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


COMMANDS.append(schema_cmd)
