"""`sop audit verify` (does the store hold what its log says?), `sop audit checkpoint` (the
chain heads, signed with a key kept elsewhere) and `sop audit export` (XES / OCEL 2.0).

All read the store only, opened read-only: they never migrate or write it, and read a copy on
read-only media too. See engine/app/audit/ and docs/audit.md.
"""

from __future__ import annotations

import json
import os
import sys
from contextlib import ExitStack
from pathlib import Path

import click

from engine.cli import options

COMMANDS: list[click.Command] = []


@click.group()
def audit() -> None:
    """Check the store for tampering, sign checkpoints, and export the log for process mining."""


@audit.command("verify")
@options.store_location
@options.output_format("text", "json")
@click.option(
    "--chain-only",
    is_flag=True,
    help="Check the hash chains alone: no replay of the logs, no row compared (about ten times "
    "faster).",
)
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A file `sop audit checkpoint` wrote: every chain must still pass through its heads "
    "(needs --key-file).",
)
@options.key_file(required=False)
@options.jobs
def verify(
    database_url: str | None,
    data_dir: str,
    fmt: str,
    chain_only: bool,
    checkpoint_file: str | None,
    key_file: str | None,
    jobs: int,
) -> None:
    """Check the whole store against its log: every entry changed, removed or reordered; every
    ticket record, scope row, deadline, step run and notification the log does not give; every
    stored revision text that does not match its hash.

    Reads a read-only copy of a data folder too. Exit status 0 when everything holds, 1 when
    anything is wrong. The tickets are split over --jobs processes; the report is the same
    whatever their number (with --chain-only, ten times cheaper per ticket, fewer than 10,000
    tickets are checked in this process).
    """
    from engine.app.audit.checkpoint import load_key, read_checkpoint
    from engine.app.audit.verify import tickets_to_verify, verify_store
    from engine.app.processes import Processes
    from engine.errors import CheckpointInvalid
    from engine.store.files import FILES_FOLDER, FileStore

    if (checkpoint_file is None) != (key_file is None):
        raise click.UsageError("--checkpoint and --key-file go together: give both, or neither")
    checkpoint = None
    if checkpoint_file is not None and key_file is not None:
        try:
            checkpoint = read_checkpoint(checkpoint_file, load_key(key_file))
        except CheckpointInvalid as exc:
            raise click.ClickException(exc.message) from None
    store = options.existing_store(database_url, data_dir, read_only=True)
    processes = Processes(jobs, options.store_url(database_url, data_dir), read_only=True)
    try:
        files = FileStore(
            Path(os.environ.get("SOP_FILES_DIR") or Path(data_dir) / FILES_FOLDER)
            .expanduser()
            .resolve()
        )
        total = tickets_to_verify(store)
        with click.progressbar(
            length=total, label=f"checking {total} ticket(s)", file=sys.stderr
        ) as bar:
            report = verify_store(
                store,
                chain_only=chain_only,
                checkpoint=checkpoint,
                files=files,
                processes=processes,
                progress=bar.update,
            )
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
        checked = f"checked {report.tickets} ticket(s), {report.entries} log entries"
        if not chain_only:
            checked += (
                f", replayed {report.replayed} ticket(s), {report.revisions} revision(s), "
                f"{report.periodic_runs} periodic run(s)"
            )
        if report.checkpoint is not None:
            cp = report.checkpoint
            checked += f", against the checkpoint of {cp['made']} ({cp['tickets']} ticket(s))"
        click.echo(f"{checked}: {verdict}")
    sys.exit(0 if report.ok else 1)


@audit.command("checkpoint")
@options.store_location
@options.key_file(required=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="File to write [default: standard output]. Keep it away from the database.",
)
def checkpoint(database_url: str | None, data_dir: str, key_file: str, out: str | None) -> None:
    """Sign every ticket's chain head (its last entry's position and hash), the periodic runs
    and the notifications of no ticket, with a key kept outside the database.

    Store the output elsewhere; `sop audit verify --checkpoint FILE --key-file K` later checks
    that no chain was rewritten up to its head since. Writes nothing to the store.
    """
    from engine.app.audit.checkpoint import load_key, make_checkpoint
    from engine.errors import CheckpointInvalid

    try:
        key = load_key(key_file)
    except CheckpointInvalid as exc:
        raise click.ClickException(exc.message) from None
    store = options.existing_store(database_url, data_dir, read_only=True)
    try:
        doc = make_checkpoint(store, key)
    finally:
        store.close()
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    with open(out, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(text)
    click.echo(
        f"wrote the checkpoint of {doc['made']} to {out}: {doc['tickets']} ticket(s), "
        f"{doc['entries']} log entries, {len(doc['periodic_runs'])} periodic run(s)"
    )


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
