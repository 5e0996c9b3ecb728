"""The options several `sop` commands take, each declared here once, and what they resolve to.

A command lists its options as decorators: `@options.sop_root`, `@options.store_options`,
`@options.output_format("text", "json")`. Spelling, environment variable, default and help
then agree across commands, and a change lands in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from engine.spec import bundled

if TYPE_CHECKING:
    from engine.store import Store

Decorator = Callable[[Any], Any]

sop_root = click.option(
    "--root",
    "--sop-root",
    "root",
    envvar="SOP_ROOT",
    default=bundled.sop_root,
    show_default="the bundled sop/ folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of SOPs: <root>/<sop-id>/<revision>.yaml, scenarios in <sop-id>/scenarios/ "
    "[env SOP_ROOT].",
)
rules_dir = click.option(
    "--rules",
    "--rules-dir",
    "rules_dir",
    envvar="SOP_RULES_DIR",
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of rules files (default: 'rules' beside the SOP folder) [env SOP_RULES_DIR].",
)
data_dir = click.option(
    "--data-dir",
    envvar="SOP_DATA_DIR",
    default="./data",
    show_default=True,
    help="Folder of the SQLite file `sop serve` uses (unless --database-url is given) "
    "[env SOP_DATA_DIR].",
)
database_url = click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default=None,
    help="SQLAlchemy URL, e.g. postgresql://127.0.0.1:5432/sop [env DATABASE_URL].",
)

notify_config = click.option(
    "--notify-config",
    envvar="SOP_NOTIFY_CONFIG",
    default=None,
    type=click.Path(dir_okay=False),
    help="YAML file of notification channels (webhooks) [env SOP_NOTIFY_CONFIG].",
)


def key_file(required: bool) -> Decorator:
    """--key-file: the audit checkpoint's key, a file kept outside the database."""
    return click.option(
        "--key-file",
        envvar="SOP_AUDIT_KEY_FILE",
        type=click.Path(dir_okay=False),
        required=required,
        default=None,
        help="The checkpoint key: a file of at least 32 bytes kept away from the database, e.g. "
        "`head -c 32 /dev/urandom | base64 > K` [env SOP_AUDIT_KEY_FILE].",
    )


def store_location(fn: Any) -> Any:
    """--data-dir and --database-url: which store a command reads or writes."""
    return data_dir(database_url(fn))


def store_options(fn: Any) -> Any:
    """The store and the SOPs: what a command that runs tickets needs (`serve`, `sweep`...)."""
    return store_location(sop_root(rules_dir(fn)))


def output_format(
    *choices: str,
    help: str | None = None,  # noqa: A002
    required: bool = False,
) -> Decorator:
    """--format: the first choice is the default, unless the format is required."""
    choices = choices or ("text", "json")
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=None if required else choices[0],
        required=required,
        show_default=not required,
        help=help,
    )


def sop_id(help: str) -> Decorator:  # noqa: A002
    """--sop: one SOP of those loaded or stored; each command says what it does without."""
    return click.option("--sop", "sop_id", default=None, help=help)


def _jobs(_ctx: Any, _param: click.Parameter, value: int | None) -> int:
    from engine.app.processes import default_jobs

    if value is None:
        return default_jobs()
    if value < 1:
        raise click.BadParameter(
            f"{value} is not a number of processes: give 1 (this process alone) or more "
            f"(default: one per core, {default_jobs()} here)"
        )
    return value


def jobs(fn: Any) -> Any:
    """--jobs: how many processes share a walk over every ticket (`engine.app.processes`)."""
    from engine.app.processes import MIN_TICKETS

    return click.option(
        "--jobs",
        type=int,
        callback=_jobs,
        default=None,
        metavar="N",
        help="Processes to spread the tickets over [default: one per core]; 1: all in this "
        f"process. Fewer than {MIN_TICKETS:,} tickets are always done in this process (a "
        "worker process takes about a second to start).",
    )(fn)


def _iso_time(_ctx: Any, _param: click.Parameter, value: str | None) -> datetime | None:
    """An ISO time with its offset: without one it would be read in this machine's zone."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not an ISO time, e.g. 2026-01-05T09:00:00+07:00"
        ) from None
    if when.tzinfo is None:
        raise click.BadParameter("give a time zone offset, e.g. +07:00")
    return when


def as_of(help: str) -> Decorator:  # noqa: A002
    """--as-of: the time a command acts or judges at (None: the caller takes now)."""
    return click.option("--as-of", callback=_iso_time, default=None, help=help)


def store_url(database_url: str | None, data_dir: str) -> str:
    """The URL --database-url and --data-dir name, creating nothing (the data folder is made
    by whoever writes the store, not by a command that only reads it)."""
    from api.config import SQLITE_FILE
    from engine.store.database import sqlite_url

    if database_url:
        return database_url
    return sqlite_url(Path(data_dir).expanduser().resolve() / SQLITE_FILE)


def existing_store(database_url: str | None, data_dir: str, *, read_only: bool = False) -> Store:
    """The store the options name, as it is, for a command that only reads it: a missing
    database or an old schema ends the command with a one-line error; nothing is created.
    `read_only`: open an SQLite file read-only (`Store.open_existing`), so that a copy on
    read-only media or in a folder this user cannot write reads too."""
    from engine.errors import StoreUnavailable
    from engine.store import Store

    try:
        return Store.open_existing(store_url(database_url, data_dir), read_only=read_only)
    except StoreUnavailable as exc:
        hint = " (give --data-dir, the folder `sop serve` used, or --database-url)"
        raise click.ClickException(exc.message + (hint if "path" in exc.details else "")) from None
