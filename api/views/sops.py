"""GET /v1/sops, /v1/sops/{sop}, /v1/sops/{sop}/revisions/{rev}: the loaded SOPs, read-only."""

from __future__ import annotations

from flask import Blueprint, Response

from api.present.sops import revision_detail, sop_detail, sop_list
from api.schemas.sops import RevisionDetailSchema, SopListSchema, SopWithRevisionsSchema
from api.views.common import dump, runtime

bp = Blueprint("sops", __name__)


@bp.get("/sops")
def list_sops() -> Response:
    return dump(SopListSchema, sop_list(runtime().catalog))


@bp.get("/sops/<sop>")
def get_sop(sop: str) -> Response:
    return dump(SopWithRevisionsSchema, sop_detail(runtime().catalog.revisions(sop)))


@bp.get("/sops/<sop>/revisions/<rev>")
def get_revision(sop: str, rev: str) -> Response:
    spec = runtime().catalog.get(sop, rev)
    return dump(RevisionDetailSchema, revision_detail(spec), ETag=f'"{spec.content_hash}"')
