"""GET /metrics: the Prometheus exposition (api.metrics), outside /v1 where scrapers look.

Public by default (it names SOPs, steps and routes, never a ticket or a person); with
SOP_METRICS_AUTH=token it needs an admin token (`Authorization: Bearer ...`).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app

from api.auth import authenticate, require_admin
from api.metrics import CONTENT_TYPE, scrape
from api.views.common import runtime

bp = Blueprint("metrics", __name__)

TOKEN = "token"


@bp.get("/metrics")
def metrics() -> Response:
    """The metrics, in Prometheus' text format."""
    rt = runtime()
    if rt.settings.get("SOP_METRICS_AUTH") == TOKEN:
        require_admin("read the metrics", authenticate(rt.tokens))
    body = scrape(current_app.extensions["sop_metrics"], rt)
    return Response(body, mimetype=None, content_type=CONTENT_TYPE)
