"""`sop user add|list|disable|enable|reset-password`: personal accounts for the web pages (the API's
tokens stay for services: `sop token`). A password is typed at a prompt (twice, not shown) or
read as one line from stdin with --password-stdin; never given as an argument, where `ps` and
the shell's history would keep it. See docs/security.md, Personal accounts."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from engine.cli import options

if TYPE_CHECKING:
    from engine.app.accounts import Account, Accounts

COMMANDS: list[click.Command] = []

password_stdin = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password as the first line of stdin (scripts) instead of prompting.",
)


@click.group()
def user() -> None:
    """Personal accounts: people who sign in to the web pages with a login and password."""


@user.command("add")
@options.store_location
@click.argument("login")
@click.option("--name", "display_name", required=True, help="The person's name, as pages show it.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="A role, as tokens have: service, operator, team_leader, agency, auditor or admin "
    "(repeatable).",
)
@click.option("--actor", "actors", multiple=True, help="An SOP actor id they act as (repeatable).")
@click.option("--scope", default=None, help="field=value: they see only tickets that match.")
@password_stdin
def add(
    database_url: str | None,
    data_dir: str,
    login: str,
    display_name: str,
    roles: tuple[str, ...],
    actors: tuple[str, ...],
    scope: str | None,
    password_stdin: bool,
) -> None:
    """Add the account LOGIN (lowercase letters, digits, '.', '_', '-')."""
    from engine.app.accounts import parse_scope

    with _accounts(database_url, data_dir) as accounts:
        account = _run(
            lambda: accounts.add(
                login,
                display_name,
                _password(password_stdin),
                roles=roles,
                actors=actors,
                scope=parse_scope(scope),
            )
        )
    click.echo(f"added {account.login} ({', '.join(account.roles)})")


@user.command("list")
@options.store_location
@options.output_format("text", "json")
def list_(database_url: str | None, data_dir: str, fmt: str) -> None:
    """The accounts: login, name, roles, actors, scope, and whether disabled or locked."""
    from engine.core.clock import SystemClock

    store = options.existing_store(database_url, data_dir, read_only=True)
    try:
        listed = _make(store).listed()
    finally:
        store.close()
    now = SystemClock().now()
    rows = [_row(a, now) for a in listed]
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        scope = row["scope"] or "-"
        click.echo(
            f"{row['login']}\t{row['display_name']}\t{','.join(row['roles'])}\t"
            f"{','.join(row['actors']) or '-'}\t{scope}\t{row['state']}"
        )
    if not rows:
        click.echo("no accounts")


@user.command("disable")
@options.store_location
@click.argument("login")
def disable(database_url: str | None, data_dir: str, login: str) -> None:
    """Disable LOGIN: it can no longer sign in, and its open web sessions end."""
    with _accounts(database_url, data_dir) as accounts:
        _run(lambda: accounts.disable(login))
    click.echo(f"disabled {login}")


@user.command("enable")
@options.store_location
@click.argument("login")
def enable(database_url: str | None, data_dir: str, login: str) -> None:
    """Enable LOGIN again: it may sign in with its password."""
    with _accounts(database_url, data_dir) as accounts:
        _run(lambda: accounts.enable(login))
    click.echo(f"enabled {login}")


@user.command("reset-password")
@options.store_location
@click.argument("login")
@password_stdin
def reset_password(
    database_url: str | None, data_dir: str, login: str, password_stdin: bool
) -> None:
    """Give LOGIN a new password; lifts a lock-out and ends its open web sessions."""
    with _accounts(database_url, data_dir) as accounts:
        _run(lambda: accounts.reset_password(login, _password(password_stdin)))
    click.echo(f"new password set for {login}")


COMMANDS.append(user)


class _accounts:
    """The store the options name (migrated, as `sop serve` would), and its accounts."""

    def __init__(self, database_url: str | None, data_dir: str) -> None:
        self.url = options.store_url(database_url, data_dir)

    def __enter__(self) -> Accounts:
        from engine.errors import StoreUnavailable
        from engine.store import Store

        try:
            self.store = Store.open(self.url)
        except StoreUnavailable as exc:
            raise click.ClickException(exc.message) from None
        return _make(self.store)

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def _make(store: Any) -> Accounts:
    from api.auth import ROLES
    from engine.app.accounts import Accounts
    from engine.core.clock import SystemClock

    return Accounts(store, SystemClock(), roles=ROLES)


def _run(action: Callable[[], Account]) -> Account:
    from engine.errors import InvalidAccount, NotFound

    try:
        return action()
    except (InvalidAccount, NotFound) as exc:
        raise click.ClickException(exc.message) from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


def _row(account: Account, now: Any) -> dict[str, Any]:
    state = "disabled" if account.disabled else "locked" if account.locked(now) else "active"
    return {
        "login": account.login,
        "display_name": account.display_name,
        "roles": list(account.roles),
        "actors": list(account.actors),
        "scope": "=".join(account.scope) if account.scope else None,
        "state": state,
        "created": account.created.isoformat(),
    }
