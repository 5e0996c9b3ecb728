"""The one place the API is composed: settings, then the runtime, then the app.

    app = create_app({"SOP_DATA_DIR": "/tmp/x", "SOP_DEV": True})   # tests, api.wsgi
    runtime = build_runtime(cfg); app = create_app(cfg, runtime)     # `sop serve`

Settings are described in `api.config`; what a runtime holds in `api.runtime`. Every route
lives under /v1 and needs a bearer token unless its view is declared public (health, the
OpenAPI document and the docs page) or the app runs in dev mode. The HTML pages live under
/web (api.web); the Prometheus metrics at /metrics (api.metrics; public unless
SOP_METRICS_AUTH=token). Every request gets an id (api.logs, header X-Request-Id). Every
answer carries the headers of `security_headers`; proxy headers (X-Forwarded-*) are believed
only from the SOP_TRUSTED_PROXIES hops in front.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from api.auth import TokenRegistry, authenticate
from api.config import DEFAULTS, ConfigError, database_url, settings, web_session_key
from api.errors import register_error_handlers
from api.limits import MAX_BODY_BYTES, refuse_nul_bytes, require_json_writes
from api.logs import install as install_request_logs
from api.metrics import Metrics
from api.metrics import install as install_metrics
from api.runtime import Runtime
from api.views import (
    admin,
    audit,
    changes,
    clock,
    diff,
    events,
    exports,
    files,
    health,
    metrics,
    notifications,
    open311,
    openapi,
    refs,
    reports,
    sops,
    subscriptions,
    tickets,
    work,
)
from api.views.common import runtime
from api.views.operation import declared
from api.web import bp as web_pages
from api.web.session import WebKeys
from engine.app.notifier import Routing
from engine.app.revisions.immutability import check_published
from engine.app.service import TicketService
from engine.core.clock import Clock, ManualClock, SystemClock, move_limit
from engine.spec import bundled
from engine.spec.catalog import Catalog, load_catalog
from engine.store import Store

EVERY_ANSWER = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
# In the order the OpenAPI document and the docs page list them.
BLUEPRINTS = (
    health,
    sops,
    diff,
    tickets,
    refs,
    work,
    events,
    files,
    exports,
    notifications,
    changes,
    clock,
    reports,
    audit,
    admin,
    subscriptions,
)


def create_app(config: Mapping[str, Any] | None = None, runtime: Runtime | None = None) -> Flask:
    """Build the app. `runtime` is built from the settings unless given; `sop serve` builds it
    first to run the background workers on it."""
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    cfg = settings(config)
    app.config.update(cfg)
    app.extensions["sop"] = runtime = runtime or build_runtime(cfg)
    key = secrets.token_bytes(32) if runtime.tokens is None else web_session_key(cfg)
    app.extensions["sop_web"] = WebKeys(key, cfg["SOP_WEB_SESSION_HOURS"])
    if cfg["SOP_TRUSTED_PROXIES"]:
        hops = cfg["SOP_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )
    app.after_request(security_headers)
    app.extensions["sop_metrics"] = counts = Metrics()
    runtime.service.listeners[:] = [
        *(x for x in runtime.service.listeners if not isinstance(x, Metrics)),
        counts,
    ]
    install_metrics(app, counts)  # first hooks: a request refused by a later one counts too
    install_request_logs(app, access_log=cfg["SOP_ACCESS_LOG"])
    register_error_handlers(app)
    app.before_request(refuse_nul_bytes)  # every page and route (api.limits)

    v1 = Blueprint("v1", __name__, url_prefix="/v1")
    for module in (*BLUEPRINTS, openapi):
        v1.register_blueprint(module.bp)
    v1.before_request(require_json_writes)  # before authentication: --dev asks for none
    v1.before_request(_authenticate)
    app.register_blueprint(v1)
    app.register_blueprint(web_pages)  # the HTML pages under /web (api/web)
    app.register_blueprint(metrics.bp)  # /metrics, where Prometheus looks (api.metrics)
    app.register_blueprint(open311.bp)  # the Open311 GeoReport v2 facade (api.views.open311)
    return app


def security_headers(resp: Response) -> Response:
    """No sniffing, no framing, no address leaving the site in a Referer (the pages add their
    Content-Security-Policy: api.web.headers)."""
    for name, value in EVERY_ANSWER.items():
        resp.headers.setdefault(name, value)
    return resp


def _authenticate() -> None:
    """Every /v1 request names its token, except for views declared public."""
    op = declared(current_app.view_functions.get(request.endpoint or ""))
    if op is not None and op.public:
        return
    g.principal = authenticate(runtime().tokens)


def build_runtime(cfg: Mapping[str, Any]) -> Runtime:
    """Everything requests share, checked before serving: a published revision edited in
    place is refused here rather than discovered by a ticket."""
    catalog = build_catalog(cfg)
    tokens = build_tokens(cfg)
    routing = build_routing(cfg)
    clock, manual = build_clock(cfg)
    store = Store.open(database_url(cfg), init=bool(cfg.get("SOP_INIT")))
    check_published(catalog, store)
    service = TicketService(catalog, store, clock)
    return Runtime(catalog, store, service, clock, manual, tokens, cfg, routing)


def build_catalog(cfg: Mapping[str, Any]) -> Catalog:
    catalog = load_catalog(cfg["SOP_ROOT"], cfg.get("SOP_RULES_DIR"))
    if not catalog.specs:
        raise ConfigError(bundled.missing_hint(cfg["SOP_ROOT"]))
    return catalog


def build_tokens(cfg: Mapping[str, Any]) -> TokenRegistry | None:
    """None only in dev mode: a server without tokens must be asked for on purpose."""
    if cfg.get("SOP_DEV"):
        return None
    if cfg.get("SOP_TOKENS") is not None:
        return TokenRegistry.from_entries(cfg["SOP_TOKENS"], "SOP_TOKENS")
    if cfg.get("SOP_TOKENS_FILE"):
        return TokenRegistry.from_file(cfg["SOP_TOKENS_FILE"])
    raise ConfigError(
        "no API tokens configured: give --tokens FILE or SOP_TOKENS_FILE (see docs/api.md), "
        "or run `sop serve --dev` for local use without authentication"
    )


def build_clock(cfg: Mapping[str, Any]) -> tuple[Clock, ManualClock | None]:
    if cfg.get("SOP_CLOCK") != "manual":
        return SystemClock(), None
    start = cfg.get("SOP_CLOCK_START")
    if isinstance(start, str):
        start = datetime.fromisoformat(start)
    try:
        most = move_limit(str(cfg.get("SOP_CLOCK_MAX_MOVE") or DEFAULTS["SOP_CLOCK_MAX_MOVE"]))
    except ValueError as exc:
        raise ConfigError(f"SOP_CLOCK_MAX_MOVE (--clock-max-move): {exc}") from None
    manual = ManualClock(start, max_move=most)
    return manual, manual


def build_routing(cfg: Mapping[str, Any]) -> Routing:
    path = cfg.get("SOP_NOTIFY_CONFIG")
    if not path:
        return Routing.log_only()
    try:
        return Routing.from_file(path)
    except OSError as exc:
        raise ConfigError(f"cannot read notify config {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
