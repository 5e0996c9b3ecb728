"""Options every `sop` command that reads SOP files spells the same way."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

# The SOPs shipped with the project: the default wherever the command is run from.
BUNDLED_SOP_ROOT = Path(__file__).resolve().parents[2] / "sop"

sop_root = click.option(
    "--root",
    "--sop-root",
    "root",
    envvar="SOP_ROOT",
    default=BUNDLED_SOP_ROOT,
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


def output_format(
    *choices: str,
    help: str | None = None,  # noqa: A002
) -> Callable[[Any], Any]:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices or ("text", "json"))),
        default=(choices or ("text",))[0],
        show_default=True,
        help=help,
    )
