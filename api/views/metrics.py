"""GET /metrics: the Prometheus exposition (api.metrics), outside /v1 where scrapers look.

Public by default (it names SOPs, steps and routes, never a ticket or a person); with
SOP_METRICS_AUTH=token it needs an admin token (`Authorization: Bearer ...`).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from api.auth import authenticate
from api.errors import Forbidden
from api.metrics import CONTENT_TYPE, scrape
from api.views.common import runtime

bp = Blueprint("metrics", __name__)

ADMIN_ROLE = "admin"
TOKEN = "token"


@bp.get("/metrics")
def metrics() -> Response:
    """The metrics, in Prometheus' text format."""
    rt = runtime()
    if rt.settings.get("SOP_METRICS_AUTH") == TOKEN:
        principal = authenticate(rt.tokens)
        if ADMIN_ROLE not in principal.roles:
            raise Forbidden(f"token {principal.name!r} may not read the metrics (needs admin)")
    body = scrape(current_app.extensions["sop_metrics"], rt)
    return Response(body, mimetype=None, content_type=CONTENT_TYPE)
