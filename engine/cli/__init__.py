"""The `sop` command. Each group of subcommands lives in its own module and registers here."""

from __future__ import annotations

import click


@click.group()
@click.version_option(package_name="sop-engine")
def main() -> None:
    """SOP-as-code: validate, show, test and serve SOP revisions."""


def _register() -> None:
    from engine.cli import (
        audit_cmds,
        check_cmds,
        demo_cmds,
        diff_cmds,
        notify_cmds,
        report_cmds,
        revision_cmds,
        scenario_cmds,
        serve_cmds,
        spec_cmds,
        user_cmds,
    )

    for module in (
        spec_cmds,
        check_cmds,
        scenario_cmds,
        serve_cmds,
        diff_cmds,
        notify_cmds,
        report_cmds,
        revision_cmds,
        audit_cmds,
        demo_cmds,
        user_cmds,
    ):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
