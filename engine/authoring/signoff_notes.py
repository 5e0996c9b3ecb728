"""What a timeline shows beside a log entry that concerns a sign-off inside a row.

    signoff_note(spec, state, event, data) -> str    "sign-off 1/3 kasi: Paraf Kepala Seksi" or ""
    signoff_note(..., words=True)                    "paraf 1 dari 3: Paraf Kepala Seksi" (pages)

A sign-off's event names it (each event belongs to one sign-off of its step); a sign-off's
deadline event carries `{step, signoff}` in its data (engine.core.signoffs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.spec.model import Spec

DEADLINE = "deadline"


def signoff_note(
    spec: Spec,
    state: str,
    event: str,
    data: Mapping[str, Any] | None = None,
    *,
    words: bool = False,
) -> str:
    data = data or {}
    step_id = str(data.get("step", state)) if event == DEADLINE else state
    try:
        signoffs = spec.step(step_id).signoffs
    except KeyError:
        return ""
    for i, s in enumerate(signoffs, start=1):
        if s.event == event or (event == DEADLINE and data.get("signoff") == s.id):
            if words:
                return f"paraf {i} dari {len(signoffs)}: {s.text}"
            return f"sign-off {i}/{len(signoffs)} {s.id}: {s.text}"
    return ""
