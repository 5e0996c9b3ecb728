"""Auditors' reads over HTTP: the hash-chain check and the process-mining export.

    GET /v1/audit/verify                      every ticket's chain checked (engine.app.audit.verify)
    GET /v1/audit/export?format=xes|ocel      the event log for pm4py & co. (app.audit.export)

Both read the whole store, so only unscoped auditor and admin tokens may call them; a scoped
token (one limited to some tickets) is refused. For large stores, `sop audit export --out FILE`
streams to a file instead of building the document in memory.
"""

from __future__ import annotations

import io

from flask import Blueprint, Response, jsonify

from api.auth import current
from api.errors import Forbidden
from api.schemas.audit import ExportQuerySchema, VerifyQuerySchema
from api.views.common import attachment, load_query, runtime
from api.views.operation import operation
from engine.app.audit.export import export_log
from engine.app.audit.verify import verify_store

bp = Blueprint("audit", __name__)

AUDIT_ROLES = frozenset({"auditor", "admin"})
MEDIA = {"xes": "application/xml", "ocel": "application/json"}


def _require_auditor() -> None:
    principal = current()
    if not principal.roles & AUDIT_ROLES or principal.scope is not None:
        raise Forbidden(
            f"token {principal.name!r} may not read the whole log: the audit endpoints are for "
            "unscoped auditor or admin tokens"
        )


@bp.get("/audit/verify")
@operation("audit", errors=(403,))
def verify() -> Response:
    """Check every ticket's hash chain, and replay its log (auditor, admin).

    Reports every log entry changed, removed or reordered, by ticket and position, tickets
    whose record does not match their last entry and, unless `chain_only`, every stored row
    the replayed log does not give again (docs/audit.md). Unscoped tokens only.
    """
    args = load_query(VerifyQuerySchema)
    _require_auditor()
    rt = runtime()
    report = verify_store(rt.service.store, chain_only=args["chain_only"], files=rt.files.store)
    return jsonify(report.as_data())


@bp.get("/audit/export")
@operation(
    "audit",
    query=ExportQuerySchema,
    errors=(403, 404, 422),
    media_type=(MEDIA["xes"], MEDIA["ocel"]),
)
def export() -> Response:
    """The event log for process mining (auditor, admin).

    XES (IEEE 1849) or OCEL 2.0: case = ticket, activity = the SOP step an entry finished,
    resource = actor. No field values. Unscoped tokens only.
    """
    args = load_query(ExportQuerySchema)
    _require_auditor()
    rt = runtime()
    if args["sop"] is not None:
        rt.catalog.revisions(args["sop"])  # an unknown SOP is a 404 problem, not an empty log
    out = io.StringIO()
    export_log(
        rt.service.store, args["format"], out, sop_id=args["sop"], all_events=args["all_events"]
    )
    name = f"sop-log-{args['sop'] or 'all'}.{'xes' if args['format'] == 'xes' else 'json'}"
    return attachment(out.getvalue(), MEDIA[args["format"]], name)
