"""Where the SOPs and rules shipped with the project are: the one answer, for the `sop`
commands' `--sop-root` default and the service's `SOP_ROOT` setting.

- In a checkout (or an editable install): `sop/` and `rules/` at the repository's root, the
  files their authors edit.
- In an installed wheel: `engine/bundled/sop/` and `engine/bundled/rules/`, copied there by
  setup.py's build step (never kept in git).

The rules are found beside the SOP folder, as for any `--sop-root` (`rules/` next to `sop/`).
When neither holds an SOP, `sop_root()` still names the installed location, so a command
reports "no SOP revisions under <it>" and asks for `--sop-root` (`missing_hint`).
"""

from __future__ import annotations

from pathlib import Path

ENGINE = Path(__file__).resolve().parents[1]
CHECKOUT = ENGINE.parent
INSTALLED = ENGINE / "bundled"


def base() -> Path:
    """The folder holding the bundled `sop/` and `rules/`: the checkout's root when this
    module runs from one (marked by its pyproject.toml), else the installed copy."""
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "sop").is_dir():
        return CHECKOUT
    return INSTALLED


def sop_root() -> Path:
    return base() / "sop"


def missing_hint(root: Path | str) -> str:
    """What to say when no SOP revision is under `root`."""
    return (
        f"no SOP revisions under {root} (expected <sop-id>/<revision>.yaml); "
        "give the folder of your SOPs with --sop-root (or SOP_ROOT)"
    )
