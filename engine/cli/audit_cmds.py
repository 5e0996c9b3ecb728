"""`sop audit verify` (is the stored log intact?) and `sop audit export` (XES / OCEL 2.0).

Both read the store only: they never migrate or write it. See engine/app/audit/.
"""

from __future__ import annotations

import json
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

COMMANDS: list[click.Command] = []


def _db_options(fn: Any) -> Any:
    fn = click.option(
        "--database-url",
        envvar="DATABASE_URL",
        default=None,
        help="SQLAlchemy URL, e.g. postgresql://127.0.0.1:5432/sop [env DATABASE_URL].",
    )(fn)
    return click.option(
        "--data-dir",
        envvar="SOP_DATA_DIR",
        default="./data",
        show_default=True,
        help="Folder of the SQLite file `sop serve` uses (unless --database-url is given).",
    )(fn)


def _open(database_url: str | None, data_dir: str) -> Any:
    """The store, as it is: a missing SQLite file or an unmigrated schema is an error."""
    from sqlalchemy import inspect

    from api.config import SQLITE_FILE
    from engine.store import Store

    if not database_url:
        path = Path(data_dir) / SQLITE_FILE
        if not path.is_file():
            raise click.ClickException(
                f"no database at {path}: give --data-dir (the folder `sop serve` used) "
                "or --database-url"
            )
        database_url = f"sqlite:///{path}"
    try:
        store = Store.open(database_url, migrate=False)
        columns = {c["name"] for c in inspect(store.engine).get_columns("events")}
    except Exception as exc:
        raise click.ClickException(f"cannot read the store: {exc}") from None
    if "entry_hash" not in columns:
        store.close()
        raise click.ClickException(
            "this database predates the hash-chained log: start `sop serve` (or run "
            "`sop sweep`) on it once with this version to upgrade it, then verify"
        )
    return store


@click.group()
def audit() -> None:
    """Check the stored log for tampering, and export it for process mining."""


@audit.command("verify")
@_db_options
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def verify(database_url: str | None, data_dir: str, fmt: str) -> None:
    """Walk every ticket's hash-chained log; report every entry changed, removed or reordered.

    Exit status 0 when the log is intact, 1 when anything is wrong.
    """
    from engine.app.audit.verify import verify_store

    store = _open(database_url, data_dir)
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
@_db_options
@click.option("--format", "fmt", type=click.Choice(["xes", "ocel"]), required=True)
@click.option("--sop", "sop_id", default=None, help="Only the tickets of this SOP id.")
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

    store = _open(database_url, data_dir)
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
