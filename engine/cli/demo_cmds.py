"""`sop demo`: load a realistic data set into the configured store (engine/app/demo), to see
the pages and the API with data in them. The store and SOP options are `sop serve`'s, built
by its helpers (serve_cmds._settings, _build), so the data lands where `sop serve` reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click

from engine.cli import options
from engine.cli.serve_cmds import _build, _settings

COMMANDS: list[click.Command] = []
SERVE_AT = "http://127.0.0.1:8000"  # where `sop serve --dev` (make serve) listens


@click.command()
@options.store_options
@click.option("--tickets", default=300, show_default=True, type=click.IntRange(1, 100_000))
@click.option(
    "--days", default=90, show_default=True, type=click.IntRange(1, 400), help="Over how long."
)
@click.option(
    "--until",
    callback=options._iso_time,
    default=None,
    help="ISO time the data set ends at, with its offset [default: now].",
)
@click.option("--sop", "sop_ids", multiple=True, help="Only this SOP (repeatable) [default: all].")
@click.option(
    "--seed", default=12, show_default=True, help="The random draw: same seed, same data."
)
@click.option("--force", is_flag=True, help="Add to a store that already holds tickets.")
def demo(
    tickets: int,
    days: int,
    until: datetime | None,
    sop_ids: tuple[str, ...],
    seed: int,
    force: bool,
    **kwargs: Any,
) -> None:
    """Load a few hundred tickets, made over DAYS days of a manual clock through the SOPs' own
    events (every branch, some steps late, loops; some closed, some open), with the field
    values in each SOP's demo/values.yaml. Then run `sop serve --dev` to look at them."""
    from engine.app.demo import DemoValues, load_demo, values_file
    from engine.errors import SopError

    end = until or datetime.now(UTC)
    start = end - timedelta(days=days)
    cfg = _settings(dev=True, clock="manual", clock_start=start.isoformat(), **kwargs)
    runtime = _build(cfg)
    try:
        service, clock = runtime.service, runtime.manual_clock
        assert clock is not None  # asked for above
        known = runtime.catalog.sop_ids()
        unknown = [s for s in sop_ids if s not in known]
        if unknown:
            raise click.BadParameter(
                f"{', '.join(unknown)}; SOPs: {', '.join(known)}", param_hint="--sop"
            )
        if service.list_tickets(limit=1).items and not force:
            raise click.ClickException(
                "the store already holds tickets: give --force to add the demo's to them, "
                "or point --data-dir/--database-url at an empty store"
            )
        root = cfg["SOP_ROOT"]
        try:
            values = {s: DemoValues.load(values_file(root, s)) for s in sop_ids or known}
        except SopError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"loading {tickets} tickets from {start:%Y-%m-%d} to {end:%Y-%m-%d} ...")
        made = load_demo(service, clock, values, tickets=tickets, start=start, end=end, seed=seed)
    finally:
        runtime.close()
    click.echo(
        f"{made.tickets} tickets in the store ({made.closed} closed, {made.tickets - made.closed} "
        f"open, {made.late} with a step past its time limit); {made.events} events posted, "
        f"{made.swept} applied by the sweeper"
    )
    for sop_id, steps in sorted(made.steps.items()):
        total = len(runtime.catalog.get(sop_id).ticket_steps)
        click.echo(f"{sop_id}: {len(steps)} of {total} steps reached")
    click.echo("open, after `sop serve --dev` (make serve):")
    click.echo(f"  {SERVE_AT}/web/                    the SOPs as their paper form")
    click.echo(f"  {SERVE_AT}/web/tickets             the tickets and their timelines")
    click.echo(f"  {SERVE_AT}/web/reports/monev       the monitoring report")
    click.echo(f"  {SERVE_AT}/v1/docs                 the API docs")


COMMANDS.append(demo)
