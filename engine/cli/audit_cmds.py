"""`sop audit verify` (is the stored log intact?) and `sop audit export` (XES / OCEL 2.0).

Both read the store only, opened read-only: they never migrate or write it, and read a copy on
read-only media too. See engine/app/audit/.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack

import click

from engine.cli import options

COMMANDS: list[click.Command] = []


@click.group()
def audit() -> None:
    """Check the stored log for tampering, and export it for process mining."""


@audit.command("verify")
@options.store_location
@options.output_format("text", "json")
def verify(database_url: str | None, data_dir: str, fmt: str) -> None:
    """Walk every ticket's hash-chained log; report every entry changed, removed or reordered.

    Reads a read-only copy of a data folder too. Exit status 0 when the log is intact, 1 when
    anything is wrong.
    """
    from engine.app.audit.verify import verify_store

    store = options.existing_store(database_url, data_dir, read_only=True)
    try:
        report = verify_store(store)
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(report.as_data(), indent=2, ensure_ascii=False))
    else:
        for problem in report.problems:
            click.echo(problem.format())
        verdict = (
            "intact"
            if report.ok
            else f"{len(report.problems)} problem(s) in "
            f"{len(report.tickets_with_problems)} ticket(s)"
        )
        click.echo(f"checked {report.tickets} ticket(s), {report.entries} log entries: {verdict}")
    sys.exit(0 if report.ok else 1)


@audit.command("export")
@options.store_location
@options.output_format("xes", "ocel", required=True)
@options.sop_id("Only the tickets of this SOP id.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="File to write [default: standard output].",
)
@click.option(
    "--all-events",
    is_flag=True,
    help="Also export entries that finish no step (creation, deadlines, timers, ...), "
    "named by their event.",
)
def export(
    database_url: str | None,
    data_dir: str,
    fmt: str,
    sop_id: str | None,
    out: str | None,
    all_events: bool,
) -> None:
    """Write the event log as XES or OCEL 2.0 JSON: case = ticket, activity = SOP step,
    resource = actor, with the revision that decided each event."""
    from engine.app.audit.export import export_log

    store = options.existing_store(database_url, data_dir, read_only=True)
    try:
        with ExitStack() as stack:
            stream = (
                stack.enter_context(open(out, "w", encoding="utf-8", newline="\n"))
                if out
                else sys.stdout
            )
            counts = export_log(store, fmt, stream, sop_id=sop_id, all_events=all_events)
    finally:
        store.close()
    if out:
        click.echo(f"wrote {counts.events} event(s) of {counts.traces} ticket(s) to {out}")


COMMANDS.append(audit)
