"""External references: the ids other systems gave a ticket (a source system + its id).

    Ref                          (source, ref): e.g. ("national", "SBY-2026-000123")
    check_refs(refs)             InvalidData on `refs` unless each is well formed and the
                                 list holds at most MAX_REFS pairs, none twice
    owner(tx, refs)              the one ticket that already holds any of them, or None;
                                 Conflict when they name two tickets

A ticket may hold several (the city's app id, then the national system's tracking number);
a (source, ref) pair names one ticket at most (engine.store.refs). Opening a ticket with a
pair that exists returns the ticket that holds it, so a retrying integration never opens a
second (engine.app.service.open_ticket). References are not SOP events: they are kept
beside the ticket, outside its log, like the older single `external_ref`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from engine.errors import Conflict, InvalidData
from engine.store.store import Tx

Ref = tuple[str, str]
MAX_REFS = 10
MAX_REF = 200
SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
SOURCE_RULE = "letters, digits, '.', '_' or '-', starting with a letter or digit, ≤ 100"


def check_refs(refs: Sequence[Ref], where: str = "refs") -> list[Ref]:
    if len(refs) > MAX_REFS:
        raise InvalidData(
            f"{where}: at most {MAX_REFS} references, not {len(refs)}",
            errors={where: [f"at most {MAX_REFS}"]},
        )
    out: list[Ref] = []
    for i, (source, ref) in enumerate(refs):
        problem = _problem(source, ref)
        if problem is None and (source, ref) in out:
            problem = f"{source}/{ref} is given twice"
        if problem is not None:
            raise InvalidData(f"{where}[{i}]: {problem}", errors={f"{where}.{i}": [problem]})
        out.append((source, ref))
    return out


def _problem(source: str, ref: str) -> str | None:
    if not SOURCE.match(source):
        return f"source {source!r}: {SOURCE_RULE} characters"
    if not ref or len(ref) > MAX_REF or ref != ref.strip():
        return f"id: 1 to {MAX_REF} characters, no spaces around it"
    if any(ord(c) < 32 or ord(c) == 127 for c in ref):
        return "id: no control characters"
    return None


def owner(tx: Tx, refs: Iterable[Ref]) -> str | None:
    found = {t for t in (tx.ticket_of_ref(s, r) for s, r in refs) if t is not None}
    if len(found) > 1:
        raise Conflict(
            "these references belong to different tickets: give the ones of one ticket",
            refs=[f"{s}/{r}" for s, r in refs],
        )
    return found.pop() if found else None
