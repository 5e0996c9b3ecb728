"""GET /v1/sops, /v1/sops/{sop}, /v1/sops/{sop}/revisions/{rev}: the loaded SOPs, read-only."""

from __future__ import annotations

from flask import Blueprint, Response

from api.present.rules import rule_views
from api.present.sops import revision_detail, sop_detail, sop_list
from api.schemas.sops import RevisionDetailSchema, SopListSchema, SopWithRevisionsSchema
from api.views.common import dump, runtime
from api.views.operation import operation

bp = Blueprint("sops", __name__)


@bp.get("/sops")
@operation("sops", response=SopListSchema)
def list_sops() -> Response:
    """SOPs loaded."""
    return dump(SopListSchema, sop_list(runtime().catalog))


@bp.get("/sops/<sop>")
@operation("sops", response=SopWithRevisionsSchema, errors=(404,))
def get_sop(sop: str) -> Response:
    """One SOP and its revisions.

    Revisions ordered by effective date, each with its content hash.
    """
    return dump(SopWithRevisionsSchema, sop_detail(runtime().catalog.revisions(sop)))


@bp.get("/sops/<sop>/revisions/<rev>")
@operation("sops", response=RevisionDetailSchema, errors=(404,))
def get_revision(sop: str, rev: str) -> Response:
    """A parsed revision.

    Steps with their SOP number, performers, required inputs, time limit and the events that
    complete them with their targets; its rules: what sets each off (with the steps it
    concerns), its filters, and its actions (who is notified or escalated to with which
    template's text, timers started with their period, events fired, statuses set).
    """
    spec = runtime().catalog.get(sop, rev)
    view = {**revision_detail(spec), "rules": rule_views(spec)}
    return dump(RevisionDetailSchema, view, ETag=f'"{spec.content_hash}"')
