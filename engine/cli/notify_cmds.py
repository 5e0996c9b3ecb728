"""`sop notifications retry` (send dead letters again) and `sop notifications secret` (a webhook
signing secret). See docs/operations.md, Notifications."""

from __future__ import annotations

import getpass
import json
from typing import TYPE_CHECKING

import click

from engine.cli import options

if TYPE_CHECKING:
    from engine.app.notifier import Routing

COMMANDS: list[click.Command] = []


@click.group()
def notifications() -> None:
    """Webhook secrets, and dead letters to deliver again."""


@notifications.command("secret")
def secret() -> None:
    """Print a new webhook signing secret: whsec_ + base64 of 32 random bytes.

    Give it to the channel (`secret_env` in the notify config) and to the receiver; to rotate,
    list the new one first beside the old one (docs/operations.md).
    """
    from engine.app.signing import new_secret

    click.echo(new_secret())


@notifications.command("retry")
@options.store_location
@options.notify_config
@click.option("--id", "ids", multiple=True, help="A dead letter's notification id (repeatable).")
@click.option("--ticket", "ticket_id", default=None, help="The dead letters of this ticket.")
@click.option(
    "--channel",
    default=None,
    help="The dead letters this channel of the notify config (e.g. team-hook) did not take; "
    "needs --notify-config.",
)
@click.option("--all", "everything", is_flag=True, help="Every dead letter.")
@click.option("--dry-run", is_flag=True, help="List them; send nothing again.")
@options.output_format("text", "json")
def retry(
    database_url: str | None,
    data_dir: str,
    notify_config: str | None,
    ids: tuple[str, ...],
    ticket_id: str | None,
    channel: str | None,
    everything: bool,
    dry_run: bool,
    fmt: str,
) -> None:
    """Send dead letters again: by --id, --ticket or --channel (all given must hold), or --all.

    Each goes back in the queue with its attempts at 0 (the whole retry schedule ahead of it);
    a running server's notifier sends it at its next pass (within seconds). Channels that took
    it before are skipped. Your user name goes to the log as who asked. Message texts are not
    shown (they may hold personal data): read them with GET /v1/notifications?status=dead.
    """
    from datetime import UTC, datetime

    from engine.app.dead_letters import redeliver
    from engine.errors import InvalidRedelivery

    routing = _routing(notify_config)
    store = options.existing_store(database_url, data_dir)
    try:
        result = redeliver(
            store,
            routing,
            asked_by=f"{getpass.getuser()} (sop notifications retry)",
            now=datetime.now(UTC),
            ids=list(ids),
            ticket_id=ticket_id,
            channel=channel,
            everything=everything,
            dry_run=dry_run,
        )
    except InvalidRedelivery as exc:
        hint = (
            "; give --id, --ticket or --channel, or --all"
            if "all" in exc.details.get("errors", {})
            else ""
        )
        raise click.UsageError(exc.message + hint) from None
    finally:
        store.close()
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
        return
    for letter in result.letters:
        failed = "?" if letter.failed_channels is None else ", ".join(letter.failed_channels) or "-"
        error = (letter.last_error or "")[:160]
        click.echo(
            f"{letter.id}  ticket {letter.ticket_id or '-'}  to {letter.to}  "
            f"attempts {letter.attempts}  failed on: {failed}  last error: {error}"
        )
    for note_id, status in result.not_dead.items():
        click.echo(f"{note_id}: not a dead letter ({status}); left as it is")
    verb = "would send again" if dry_run else "queued again"
    click.echo(f"{len(result.letters)} dead letter(s) {verb}")


def _routing(path: str | None) -> Routing | None:
    if path is None:
        return None
    from engine.app.notifier import Routing

    try:
        return Routing.from_file(path, signing=False)  # the routes; no secret is needed
    except OSError as exc:
        raise click.ClickException(f"cannot read notify config {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


COMMANDS.append(notifications)
