"""`sop migrate` (move open tickets to another revision) and `sop replay` (what-if: stored
tickets re-run against a candidate revision, writing nothing). See engine/app/revisions/."""

from __future__ import annotations

import getpass
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import click

from engine.cli import options
from engine.core.time_text import moment_text

COMMANDS: list[click.Command] = []


def _open(kwargs: dict[str, Any], *, write: bool) -> tuple[Any, Any]:
    """The catalog (checked against the published texts) and the store."""
    from engine.app.revisions.immutability import check_published
    from engine.errors import SopError
    from engine.spec.catalog import load_catalog

    try:
        catalog = load_catalog(kwargs["root"], kwargs["rules_dir"])
    except SopError as exc:
        raise click.ClickException(f"cannot load the SOPs:\n{exc}") from None
    location = kwargs["database_url"], kwargs["data_dir"]
    store = _writable_store(*location) if write else options.existing_store(*location)
    try:
        check_published(catalog, store)
    except SopError as exc:
        store.close()
        raise click.ClickException(f"{exc.message}:\n{exc}") from None
    return catalog, store


def _writable_store(database_url: str | None, data_dir: str) -> Any:
    """The store `sop migrate` writes: created or upgraded when need be, as `sop serve` does."""
    from engine.store import Store

    try:
        return Store.open(options.store_url(database_url, data_dir))
    except Exception as exc:  # unreachable, refused, ...: the driver says why
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise click.ClickException(f"cannot open the store: {reason}") from None


def _fail(exc: Any) -> NoReturn:
    click.echo(str(exc), err=True)
    if getattr(exc, "problems", None):
        click.echo(f"{len(exc.problems)} problem(s)", err=True)
    sys.exit(1)


# -- sop migrate ----------------------------------------------------------------------------------


@click.command("migrate")
@click.argument("source", metavar="SOP@A")
@click.argument("target", metavar="SOP@B")
@click.option(
    "--map",
    "map_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML file: `state_map: {old_step_id: new_step_id}` (unlisted steps keep their id).",
)
@click.option("--dry-run", is_flag=True, help="List what would change per ticket; write nothing.")
@click.option(
    "--deadline-policy",
    type=click.Choice(["keep", "recompute"]),
    default="keep",
    show_default=True,
    help="keep the due time, or recompute it on B's limit keeping the time already used.",
)
@click.option("--skip-unmapped", is_flag=True, help="Move the others when some are unmapped.")
@options.as_of("ISO time to migrate at [default: now].")
@click.option("--user", default=None, help="Recorded as the migration's user [default: $USER].")
@options.store_options
def migrate_cmd(
    source: str,
    target: str,
    map_file: Path,
    dry_run: bool,
    deadline_policy: str,
    skip_unmapped: bool,
    as_of: datetime | None,
    user: str | None,
    **kwargs: Any,
) -> None:
    """Move the open tickets pinned to revision A onto revision B.

    B must be a revision file under --sop-root. Each moved ticket gets a "migrated" event in
    its log, written with the ticket in one transaction. Tickets whose step has no mapping are
    named and the whole migration is refused, unless --skip-unmapped.
    """
    from engine.app.revisions.migrate import (
        apply_migration,
        check_state_map,
        load_state_map,
        plan_migration,
    )
    from engine.app.revisions.stored import SpecResolver
    from engine.errors import SopError

    now = as_of or datetime.now(UTC)
    if "@" not in source or "@" not in target:
        raise click.UsageError("name both revisions as SOP@REVISION, e.g. permits@r1")
    try:
        state_map = load_state_map(map_file)
    except SopError as exc:
        _fail(exc)
    catalog, store = _open(kwargs, write=not dry_run)
    try:
        b = catalog.by_ref(target)
        specs = SpecResolver(catalog, store)
        a = _loaded(catalog, source)
        check_state_map(state_map, a, b)
        plan = plan_migration(store, specs, source, b, state_map.mapping, deadline_policy, now)
        _print_plan(plan, dry_run)
        if plan.unmapped and not skip_unmapped:
            click.echo(
                f"refused: {len(plan.unmapped)} ticket(s) are in steps with no mapping "
                "(listed above); add them to the map file, or pass --skip-unmapped",
                err=True,
            )
            sys.exit(1)
        if dry_run:
            click.echo(f"dry run: {len(plan.moves)} ticket(s) would move; nothing was written")
            return
        applied = apply_migration(store, specs, plan, now, user or _user())
    except SopError as exc:
        _fail(exc)
    finally:
        store.close()
    for ticket_id, why in applied.skipped:
        click.echo(f"skipped {ticket_id}: {why}", err=True)
    click.echo(f"moved {len(applied.moved)} ticket(s) from {source} to {b.key}")


def _loaded(catalog: Any, ref: str) -> Any:
    from engine.errors import SopError

    try:
        return catalog.by_ref(ref)
    except SopError:  # A may be known only from the store (its file removed): checked per ticket
        return None


def _user() -> str:
    try:
        return f"{getpass.getuser()} (sop migrate)"
    except (KeyError, OSError):
        return "sop migrate"


def _print_plan(plan: Any, dry_run: bool) -> None:
    zone = ZoneInfo(plan.target.calendar().time_zone)
    verb = "would move" if dry_run else "moving"
    click.echo(
        f"{plan.source} -> {plan.target.key}: {len(plan.moves)} open ticket(s) {verb}, "
        f"deadline policy {plan.policy}"
    )
    for m in plan.moves:
        state = f"{m.from_no} {m.from_state}"
        if m.from_state != m.to_state or m.from_no != m.to_no:
            state += f" -> {m.to_no} {m.to_state}"
        due = _when(m.old_due, zone)
        if m.old_due != m.new_due:
            due += f" -> {_when(m.new_due, zone)}"
        line = f"  {m.ticket_id}  step {state}; due {due}"
        click.echo(line + (f" ({m.note})" if m.note else ""))
    for u in plan.unmapped:
        no = f"{u.no} " if u.no is not None else ""
        click.echo(f"  {u.ticket_id}  UNMAPPED: step {no}{u.state} is not in {plan.target.key}")


def _when(t: datetime | None, zone: ZoneInfo) -> str:
    return moment_text(t, zone, with_zone=True, none="none")


# -- sop replay -----------------------------------------------------------------------------------


@click.command("replay")
@click.argument("candidate", metavar="SOP@CANDIDATE")
@click.option("--from-store", is_flag=True, required=True, help="Replay the tickets in the store.")
@click.option("--revision", default=None, help="Only tickets pinned to this revision label.")
@options.as_of("ISO time to judge running steps at [default: now].")
@options.output_format("text", "json")
@options.jobs
@options.store_options
def replay_cmd(
    candidate: str,
    from_store: bool,
    revision: str | None,
    as_of: datetime | None,
    fmt: str,
    jobs: int,
    **kwargs: Any,
) -> None:
    """What-if: re-run the stored tickets' posted events against a candidate revision.

    SOP@CANDIDATE is a revision under --sop-root, or a path to a revision file (a draft not yet
    published). Writes nothing. Reports per step how many time limits would be met or
    breached, tickets that would end elsewhere, and events the candidate refuses. The tickets
    are split over --jobs processes; the report is the same whatever their number.
    """
    from engine.app.processes import Processes
    from engine.app.revisions.replay import replay_store, tickets_to_replay
    from engine.cli.diff_cmds import resolve

    if not from_store:
        raise click.UsageError("give --from-store (the only source of tickets so far)")
    when = as_of or datetime.now(UTC)
    spec = resolve(candidate, kwargs["root"], kwargs["rules_dir"])
    store = options.existing_store(kwargs["database_url"], kwargs["data_dir"])
    processes = Processes(jobs, options.store_url(kwargs["database_url"], kwargs["data_dir"]))
    try:
        total = tickets_to_replay(store, spec, revision)
        with click.progressbar(
            length=total, label=f"replaying {total} ticket(s)", file=sys.stderr
        ) as bar:
            report = replay_store(
                store, spec, when, revision=revision, progress=bar.update, processes=processes
            )
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.render())


COMMANDS.extend([migrate_cmd, replay_cmd])
