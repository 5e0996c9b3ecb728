"""The application factory: `create_app(config=None)`.

    app = create_app({"SOP_DATA_DIR": "/tmp/x", "SOP_DEV": True})

Settings are described in `api.config`. Every route lives under /v1; every route but health,
the OpenAPI document and the docs page needs a bearer token unless the app runs in dev mode.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Flask, g, request

from api.auth import authenticate
from api.config import settings
from api.errors import register_error_handlers
from api.runtime import Runtime, build_runtime
from api.views import (
    admin,
    audit,
    clock,
    diff,
    events,
    health,
    notifications,
    openapi,
    reports,
    sops,
    tickets,
)
from api.web import bp as web_pages

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 1024 * 1024  # larger bodies get a 413 problem
PUBLIC_ENDPOINTS = frozenset(
    {"v1.health.health", "v1.docs.openapi_json", "v1.docs.docs_page", "static"}
)


def create_app(config: Mapping[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app. `runtime` (catalog, store, service, clock, tokens) is built from the
    settings unless given; `sop serve` builds it first to run the background workers on it."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    cfg = settings(config)
    app.config.update(cfg)
    app.extensions["sop"] = runtime or build_runtime(cfg)
    register_error_handlers(app)

    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    for module in (health, sops, diff, tickets, events, notifications, clock, reports, audit):
        v1.register_blueprint(module.bp)
    v1.register_blueprint(openapi.bp)
    v1.register_blueprint(admin.bp)
    v1.before_request(_authenticate)
    app.register_blueprint(v1)
    app.register_blueprint(web_pages)  # the HTML pages under /web (api/web)
    return app


def _authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    from api.views.common import runtime

    g.principal = authenticate(runtime().tokens)
