"""`sop check`: explore every ticket a revision can reach with the real engine, and report the
stuck ones, invariant breaches and coverage (docs/sop-format.md, "Checking a revision").
Subcommands of `sop` (see engine/cli/__init__.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from engine.cli import options
from engine.errors import Problem, SopError
from engine.spec.load import spec_from_checked
from engine.spec.model import Spec
from engine.spec.validate import check_revision_file, display, expand

COMMANDS: list[click.Command] = []

CLEAN, FOUND, BAD_INPUT = 0, 1, 2  # exit codes


def _specs(targets: list[Path], rules_dir: Path | None) -> tuple[list[Spec], list[Problem]]:
    specs: list[Spec] = []
    problems: list[Problem] = []
    for file in expand(targets):
        checked = check_revision_file(file, rules_dir)
        problems += checked.problems
        if checked.ok:
            specs.append(spec_from_checked(checked))
    if not specs and not problems:
        where = ", ".join(map(str, targets))
        problems = [Problem("no_files", "no SOP revision files found", file=where)]
    return specs, problems


def _bad_input(problems: list[Problem], fmt: str) -> None:
    if fmt == "json":
        doc = {"ok": False, "problems": [p.as_dict() for p in problems]}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        for p in problems:
            click.echo(p.format(), err=True)
        click.echo(f"{len(problems)} problem(s): fix the SOP files first (sop validate)", err=True)
    sys.exit(BAD_INPUT)


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@options.sop_root
@options.rules_dir
@click.option(
    "--depth",
    type=click.IntRange(1, 10_000),
    default=60,
    show_default=True,
    help="Moves (events posted, or time passing) explored from a new ticket.",
)
@click.option(
    "--max-states",
    type=click.IntRange(1, 10_000_000),
    default=20_000,
    show_default=True,
    help="Distinct tickets explored per revision.",
)
@options.output_format()
def check_cmd(
    paths: tuple[Path, ...],
    root: Path,
    rules_dir: Path | None,
    depth: int,
    max_states: int,
    fmt: str,
) -> None:
    """Explore every ticket each revision can reach, running the real engine.

    PATHS are revision files or folders, as for `sop validate` (default: the --root folder).
    From a new ticket, every allowed event is posted by each actor that may post it with each
    data variant, and time is let pass to the next deadline; reports STUCK tickets (nothing
    will ever move them), TRAPPED ones (they move but never close), breaches of the SOP's
    `invariants:` and of the built-in ones, and coverage. Exits 0 when clean, 1 when something
    is found, 2 when a file is unreadable or invalid.
    """
    from engine.authoring.explore import Limits, as_dict, explore, findings, text_report
    from engine.core import compile_revision

    specs, problems = _specs(list(paths) or [root], rules_dir)
    if problems:
        _bad_input(problems, fmt)
    limits = Limits(depth=depth, max_states=max_states)
    reports: list[dict[str, Any]] = []
    failed = 0
    for spec in specs:
        try:
            rev = compile_revision(spec)
        except SopError as exc:
            _bad_input(getattr(exc, "problems", None) or [Problem(exc.code, exc.message)], fmt)
        exploration = explore(rev, limits)
        found = findings(exploration)
        failed += bool(found)
        file = display(Path(spec.source_path))
        if fmt == "json":
            reports.append(as_dict(exploration, found, file))
        else:
            for line in text_report(exploration, found, file):
                click.echo(line)
    if fmt == "json":
        doc = {"ok": not failed, "revisions": reports}
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        n = len(specs)
        verdict = f"{failed} of {n} revision(s) with findings" if failed else f"ok: {n} revision(s)"
        click.echo(verdict)
    sys.exit(FOUND if failed else CLEAN)


COMMANDS.append(check_cmd)
