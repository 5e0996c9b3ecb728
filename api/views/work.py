"""GET /v1/work: the tickets waiting on the caller's own SOP actors, in its scope."""

from __future__ import annotations

from flask import Blueprint, Response

from api.auth import ANY_ACTOR, Principal, current
from api.present.tickets import ticket_view
from api.schemas.work import WorkQuerySchema, WorkSchema
from api.views.access import maskers, reader
from api.views.common import dump, load_query, runtime
from api.views.operation import operation
from engine.app.work import Work, my_work
from engine.errors import InvalidData
from engine.spec.catalog import Catalog

bp = Blueprint("work", __name__)


@bp.get("/work")
@operation(
    "tickets",
    query=WorkQuerySchema,
    response=WorkSchema,
    errors=(422,),
    refusals=(
        (422, "invalid_data", "`step` or `status` names no step or status of the SOPs loaded"),
    ),
)
def work() -> Response:
    """The caller's work.

    Open tickets waiting on the caller's SOP actors (its step is performed by one, or one may
    post an event that finishes it or give its sign-off), in the caller's scope: overdue
    first, then by the step's due time; with the open and overdue tickets per step.
    """
    query = load_query(WorkQuerySchema)
    rt = runtime()
    check_filters(rt.catalog, query["step"], query["status"])
    found = principal_work(
        current(), step=query["step"], status=query["status"], q=query["q"], limit=query["limit"]
    )
    now, who = rt.clock.now(), reader()
    masks = maskers(found.items, who)
    views = [ticket_view(record, now, who, masks[record.id]) for record in found.items]
    return dump(WorkSchema, {"items": views, "counts": found.counts})


def principal_work(
    principal: Principal, *, step: str | None, status: str | None, q: str | None, limit: int
) -> Work:
    """`my_work` for a token or account: its actors ("*": any) and its scope."""
    actors = None if ANY_ACTOR in principal.actors else principal.actors
    scope = {principal.scope.field: principal.scope.value} if principal.scope else None
    return my_work(
        runtime().service,
        actors=actors,
        scope=scope,
        sees_personal_data=principal.sees_personal_data,
        state=step,
        status=status,
        q=q,
        limit=limit,
    )


def check_filters(catalog: Catalog, step: str | None, status: str | None) -> None:
    """A step or status no SOP has is a mistake to point out, not an empty list."""
    specs = list(catalog)
    if step is not None and not any(s.id == step for spec in specs for s in spec.steps):
        raise InvalidData(
            f"step {step!r} is no step of the SOPs loaded", errors={"step": ["unknown step"]}
        )
    if status is not None and not any(s.id == status for spec in specs for s in spec.statuses):
        raise InvalidData(
            f"status {status!r} is no status of the SOPs loaded",
            errors={"status": ["unknown status"]},
        )
