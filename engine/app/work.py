"""A person's work: the open tickets waiting on the SOP actors they act as, in their scope.

    my_work(service, actors=("staff",), scope={"agency": "DSDABM"}, sees_personal_data=True,
            state=None, status=None, q=None, limit=50)  -> Work(items, counts)

A ticket **waits on** an actor when the step it is at (in the revision it is pinned to) is
performed by that actor (`performers`), or the actor may post one of the step's events that
finish it (`to` / `branches`: e.g. the agency's answer at a step the staff performs) or give one
of its sign-offs. Events that only pause, resume or record something do not count: a ticket
paused for the reporter does not wait on everyone who may resume it. `actors` None (a reader
who may act as any actor) waits on every open ticket. Periodic steps hold no tickets.

Which (SOP, step) pairs wait on the actors comes from every revision in the catalog, so the
store answers "open tickets whose (SOP, step) is among these" (engine.store.work): the list,
overdue first then by the time limit's due time, and the counts per step in one GROUP BY.

`q` finds a ticket by its id or external reference, or by text in its fields' values; a reader
without personal-data access searches only the fields shown to them whole (not personal, not
free text: `engine.core.masking.FREE_TEXT_TYPES`), so a search cannot tell them a masked value.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from engine.app.service import TicketRecord, TicketService, check_limit
from engine.core.masking import FREE_TEXT_TYPES
from engine.spec.catalog import Catalog
from engine.spec.model import Step

# Field types whose stored value is a piece of text a person might search for.
SEARCHED_TYPES = frozenset({"string", "text", "phone", "email", "choice", "url"})


@dataclass(frozen=True)
class StepCount:
    """The open tickets waiting at one step of one SOP (`late`: of them, overdue)."""

    sop_id: str
    step: str
    number: int
    activity: str
    open: int
    late: int


@dataclass(frozen=True)
class Work:
    items: list[TicketRecord] = field(default_factory=list)
    counts: list[StepCount] = field(default_factory=list)


def waits_on(step: Step, actors: Collection[str]) -> bool:
    """Whether a ticket at `step` waits on one of `actors` (see the module's docstring)."""
    if step.periodic:
        return False
    mine = set(actors)
    finishing = (ev.by for ev in step.events if ev.to is not None or ev.branches)
    signing = ((s.performer,) for s in step.signoffs)
    return any(mine.intersection(who) for who in (step.performers, *finishing, *signing))


def work_steps(
    catalog: Catalog, actors: Collection[str] | None
) -> dict[str, dict[str, tuple[int, str]]]:
    """Per SOP, the steps waiting on `actors` (every step: None), each with its number and
    activity (the latest revision's words)."""
    out: dict[str, dict[str, tuple[int, str]]] = {}
    for sop_id in catalog.sop_ids():
        for spec in catalog.revisions(sop_id):  # oldest first: a later revision's words win
            for step in spec.steps:
                if (actors is None and not step.periodic) or (actors and waits_on(step, actors)):
                    out.setdefault(sop_id, {})[step.id] = (step.no, step.activity)
    return out


def searched_fields(catalog: Catalog, sop_ids: Collection[str], personal: bool) -> set[str]:
    """The fields whose values a text search looks in, for a reader with personal-data access
    (`personal`) or without."""
    return {
        f.id
        for sop_id in sop_ids
        for spec in catalog.revisions(sop_id)
        for f in spec.fields
        if f.type in SEARCHED_TYPES
        and (personal or (not f.personal and f.type not in FREE_TEXT_TYPES))
    }


def my_work(
    service: TicketService,
    *,
    actors: Collection[str] | None,
    scope: Mapping[str, str] | None = None,
    sees_personal_data: bool = False,
    state: str | None = None,
    status: str | None = None,
    q: str | None = None,
    limit: int = 50,
) -> Work:
    limit = check_limit(limit, 500)
    steps = work_steps(service.catalog, actors)
    if not steps:
        return Work()
    wanted = None if actors is None else {s: set(ids) for s, ids in steps.items()}
    q = (q or "").strip() or None
    text_fields = searched_fields(service.catalog, steps, sees_personal_data) if q else set()
    now = service.clock.now()
    with service.store.read() as tx:
        found = tx.work_items(
            now=now,
            steps=wanted,
            scope=scope,
            state=state,
            status=status,
            q=q,
            text_fields=text_fields,
            limit=limit,
        )
        counted = tx.work_counts(
            now=now, steps=wanted, scope=scope, status=status, q=q, text_fields=text_fields
        )
    items = [service.record(service.revision_for(t), t, ref) for t, ref in found]
    counts = []
    for (sop_id, step_id), n in counted.items():
        number, activity = steps.get(sop_id, {}).get(step_id, (0, step_id))
        counts.append(StepCount(sop_id, step_id, number, activity, n["open"], n["late"]))
    counts.sort(key=lambda c: (c.sop_id, c.number, c.step))
    return Work(items, counts)
