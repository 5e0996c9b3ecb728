"""GET /v1/sops/{sop}/diff?from=A&to=B: what changed between two loaded revisions, read-only.

`format=json` (default) answers the diff's JSON form (authoring.diff_model.DiffResult.to_json),
`format=markdown` the audit report as text/markdown. `impact=true` adds the impact section over
the open tickets pinned to revision A that the token may see. Unknown SOPs or revisions are the
engine's UnknownSop / UnknownRevision (404 problems, see api.errors).
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, jsonify

from api.auth import current
from api.schemas.diff import DiffQuerySchema
from api.views.access import scope_filter
from api.views.common import load_query, runtime
from api.views.operation import operation
from engine.authoring.diff import diff_specs
from engine.core.model import Ticket

bp = Blueprint("diff", __name__)

PAGE = 500
MARKDOWN = "text/markdown"


@bp.get("/sops/<sop>/diff")
@operation(
    "sops", query=DiffQuerySchema, errors=(404, 422), media_type=("application/json", MARKDOWN)
)
def sop_diff(sop: str) -> Response:
    """What changed between two revisions.

    Identity, sections, steps (matched by id, then number), time limits with their meaning,
    rules; `impact=true` adds the open tickets it affects. `format=markdown` answers
    text/markdown.
    """
    args = load_query(DiffQuerySchema)
    catalog = runtime().catalog
    base, target = catalog.get(sop, args["from_"]), catalog.get(sop, args["to"])
    tickets = list(_open_tickets(sop, base.revision)) if args["impact"] else None
    result = diff_specs(base, target, tickets)
    if args["format"] == "markdown":
        return Response(result.to_markdown(), mimetype=MARKDOWN)
    return jsonify(result.to_json())


def _open_tickets(sop: str, revision: str) -> Iterator[Ticket]:
    scope = scope_filter(current(), None)
    service = runtime().service
    cursor: str | None = None
    while True:
        page = service.list_tickets(sop_id=sop, scope=scope, limit=PAGE, cursor=cursor)
        for record in page.items:
            if record.ticket.is_open and record.ticket.revision == revision:
                yield record.ticket
        if page.next_cursor is None:
            return
        cursor = str(page.next_cursor)
