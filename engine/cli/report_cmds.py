"""`sop report monev`: the monitoring-and-evaluation report of an SOP over a period, from the
store (see engine/app/reports/monev.py for what each figure counts)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click

from engine.cli import options
from engine.cli.serve_cmds import _build, _settings

COMMANDS: list[click.Command] = []


@click.group()
def report() -> None:
    """Reports computed from the store."""


def _day(_ctx: Any, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write YYYY-MM-DD") from None


@report.command("monev")
@options.sop_id("SOP id [default: the only SOP loaded].")
@click.option("--from", "first_day", callback=_day, help="First day (YYYY-MM-DD) [this month].")
@click.option("--to", "end_day", callback=_day, help="Day after the last day counted.")
@click.option("--scope", default=None, help="Only tickets with this scope value (e.g. a unit).")
@options.output_format("text", "json", "csv")
@click.option(
    "--reports-database-url",
    envvar="SOP_REPORTS_DATABASE_URL",
    default=None,
    help="Read the report from this database (a read replica) [the store's].",
)
@options.store_options
def monev(
    sop_id: str | None,
    first_day: date | None,
    end_day: date | None,
    scope: str | None,
    fmt: str,
    reports_database_url: str | None,
    **kwargs: Any,
) -> None:
    """Tickets received and closed, per step entered / finished / within its time limit,
    median and 90th-percentile time, loops, and notifications sent: for the whole SOP and per
    value of its scope field. The period is [--from, --to) in the SOP's time zone."""
    from engine.app.reports.monev import monev_for
    from engine.app.reports.render import as_csv, as_json, as_text
    from engine.errors import SopError

    if (first_day is None) != (end_day is None):
        raise click.UsageError("give both --from and --to, or neither (this month)")
    cfg = _settings(dev=True, **kwargs)
    if reports_database_url:
        cfg["SOP_REPORTS_DATABASE_URL"] = reports_database_url
    runtime = _build(cfg)
    try:
        ids = runtime.catalog.sop_ids()
        if sop_id is None:
            if len(ids) != 1:
                raise click.UsageError(f"give --sop; loaded: {', '.join(ids)}")
            sop_id = ids[0]
        try:
            result = monev_for(
                runtime.service, sop_id, first_day, end_day, scope=scope, source=runtime.reports
            )
        except SopError as exc:
            raise click.ClickException(exc.message) from None
    finally:
        runtime.close()
    if fmt == "json":
        click.echo(json.dumps(as_json(result), indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(as_csv(result), nl=False)
    else:
        click.echo(as_text(result), nl=False)


COMMANDS.append(report)
