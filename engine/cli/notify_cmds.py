"""`sop notifications secret` (a webhook signing secret). See docs/operations.md, Notifications."""

from __future__ import annotations

import click

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


COMMANDS.append(notifications)
