"""`sop test` and `sop simulate`: run the scenario files beside each revision, or one ticket's
timeline (see docs/scenarios.md). Subcommands of `sop` (see engine/cli/__init__.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from engine.cli import options
from engine.core import pending_deadlines
from engine.errors import SopError, SopInvalid
from engine.spec.catalog import Catalog, load_catalog
from engine.spec.model import Spec

COMMANDS: list[click.Command] = []

_root = options.sop_root
_rules = options.rules_dir
_format = options.output_format()


def _catalog(root: Path, rules_dir: Path | None) -> Catalog:
    if not root.is_dir():
        raise click.UsageError(f"no SOP folder {str(root)!r}; give one with --root")
    try:
        return load_catalog(root, rules_dir)
    except SopInvalid as exc:
        click.echo(str(exc), err=True)
        click.echo(f"{len(exc.problems)} problem(s): fix the SOP files first", err=True)
        sys.exit(1)


def _select(catalog: Catalog, ref: str | None) -> list[Spec]:
    try:
        if ref is None:
            return list(catalog)
        if "@" in ref:
            return [catalog.by_ref(ref)]
        return catalog.revisions(ref)
    except SopError as exc:
        raise click.UsageError(exc.message) from None


@click.command("test")
@click.argument("ref", required=False, metavar="[SOP[@REVISION]]")
@_root
@_rules
@_format
def test_cmd(ref: str | None, root: Path, rules_dir: Path | None, fmt: str) -> None:
    """Run the scenario files beside each revision (all, one SOP, or one revision).

    Prints PASS/FAIL per scenario, expected against actual for each failure, and a summary;
    exits 1 when a scenario fails, a scenario file has a problem, or no scenario is found.
    """
    from engine.authoring.scenario.report import json_report, summary, text_report
    from engine.authoring.scenario.suite import run_suite

    catalog = _catalog(root, rules_dir)
    specs = _select(catalog, ref)
    result = run_suite(specs, every=catalog)
    if fmt == "json":
        click.echo(json.dumps(json_report(result), indent=2, ensure_ascii=False))
    else:
        for line in text_report(result, {s.key: s for s in specs}):
            click.echo(line)
    if not result.results and not result.problems:
        click.echo(f"no scenarios found beside the revisions under {root}", err=True)
        sys.exit(1)
    if not result.ok:
        if fmt == "json":
            click.echo(summary(result), err=True)
        sys.exit(1)


COMMANDS.append(test_cmd)


@click.command("simulate")
@click.argument("ref", metavar="SOP[@REVISION]")
@click.option(
    "--events",
    "events_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="YAML with `given` (at, fields) and `steps` (events, advance, advance_to, expect).",
)
@_root
@_rules
@_format
def simulate_cmd(ref: str, events_file: Path, root: Path, rules_dir: Path | None, fmt: str) -> None:
    """Print a ticket's timeline for a list of timed events.

    Each row: time, step number, event, actor, state -> state, status label, SLA of the step
    it finished, and the notifications it produced. Refused events show as REFUSED and change
    nothing. Exits 1 if an `expect` step in the file is not met.
    """
    from engine.authoring.scenario.parse import load_simulation_file
    from engine.authoring.scenario.session import (
        deadline_signoff,
        show_deadline,
        show_state,
        show_time,
    )
    from engine.authoring.scenario.simulate import simulate
    from engine.authoring.scenario.timeline import format_rows, rows_as_dicts
    from engine.core.revision import compile_revision

    spec = _select(_catalog(root, rules_dir), ref)[-1]  # no revision given: the latest
    try:
        given, steps = load_simulation_file(events_file)
        sim = simulate(compile_revision(spec), given, steps)
    except SopInvalid as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except SopError as exc:
        click.echo(f"error: {exc.code}: {exc.message}", err=True)
        sys.exit(1)
    ticket = sim.ticket
    assert ticket is not None
    deadlines = pending_deadlines(ticket)
    if fmt == "json":
        doc: dict[str, Any] = {
            "sop": spec.key,
            "ticket": ticket.id,
            "state": ticket.state,
            "status": ticket.status,
            "status_label": spec.status(ticket.status).label if ticket.status else None,
            "closed": ticket.closed.isoformat() if ticket.closed else None,
            "timeline": rows_as_dicts(spec, sim.rows),
            "deadlines": [
                {
                    "kind": d.kind,
                    "name": d.name,
                    "signoff": deadline_signoff(spec, d) or None,
                    "due": show_time(spec, d.due, "seconds"),
                }
                for d in deadlines
            ],
            "notes": [n.as_dict() for n in sim.notes],
        }
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        click.echo(f"{spec.key}  ticket {ticket.id}")
        for line in format_rows(spec, sim.rows):
            click.echo(line)
        status = spec.status(ticket.status).label if ticket.status else "-"
        click.echo(f"now: {show_state(spec, ticket.state)}, status {status}")
        for d in deadlines:
            click.echo(f"pending: {show_deadline(spec, d)}")
        for note in sim.notes:
            for line in note.lines():
                click.echo(line)
    if sim.notes:
        sys.exit(1)


COMMANDS.append(simulate_cmd)
