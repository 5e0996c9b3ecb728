"""`sop check`: run the real engine over every ticket a revision can reach, within bounds.

    exploration = explore(rev, Limits(depth=60, max_states=20_000))     the search (search)
    found = findings(exploration)          stuck / trapped tickets, invariant breaches (verdicts)
    text_report(exploration, found, file)  or as_dict(...) for JSON (render)

`plan` says what is tried at each ticket (actors, data variants), `coverage` what was reached.
Pure like the core: no I/O; the command (engine/cli/check_cmds.py) reads the files.
"""

from engine.authoring.explore.render import as_dict, text_report
from engine.authoring.explore.search import Exploration, Limits, explore
from engine.authoring.explore.verdicts import Finding, findings

__all__ = ["Exploration", "Finding", "Limits", "as_dict", "explore", "findings", "text_report"]
