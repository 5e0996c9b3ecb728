"""The public health routes, for load balancers, orchestrators and the end-to-end tests.

GET /v1/health/live     the process answers (touches nothing)
GET /v1/health/ready    it can take work: `engine.app.health` (database write-and-rollback,
                        migrations at head, sweeper recent, free disk); 503 naming what fails
GET /v1/health          the old route, same shape as before: 200 "ok" only when ready, else
                        503 "unavailable" with `failing`
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, Response

from api.schemas.health import HealthSchema, LiveSchema, ReadySchema
from api.views.common import dump, runtime
from api.views.operation import operation

bp = Blueprint("health", __name__)

UNAVAILABLE = 503


def _version() -> str:
    try:
        return version("sop-engine")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


@bp.get("/health")
@operation("health", response=HealthSchema, responses=((UNAVAILABLE, HealthSchema),), public=True)
def health() -> Response:
    """Is the server up and ready.

    `ok` (200) only when every readiness check passes (`/v1/health/ready`); otherwise 503,
    `unavailable`, with the failing checks named in `failing`."""
    rt = runtime()
    report = rt.health.ready()
    return dump(
        HealthSchema,
        {
            "status": "ok" if report.ok else "unavailable",
            "version": _version(),
            "now": rt.clock.now(),
            "clock": "manual" if rt.manual_clock is not None else "system",
            "database": rt.dialect,
            "sops": sum(1 for _ in rt.catalog),
            "failing": report.failing,
        },
        status=200 if report.ok else UNAVAILABLE,
    )


@bp.get("/health/live")
@operation("health", response=LiveSchema, public=True)
def live() -> Response:
    """Does the process answer.

    Touches neither the store nor the workers: restart the process only when this fails."""
    return dump(LiveSchema, {"status": "ok"})


@bp.get("/health/ready")
@operation("health", response=ReadySchema, responses=((UNAVAILABLE, ReadySchema),), public=True)
def ready() -> Response:
    """Can the server take work now.

    A write transaction begun and rolled back on the database, the schema at the newest
    migration, the sweeper's last pass recent (when this process runs one), and free disk in
    the data folder above the threshold (SOP_READY_MIN_FREE_MB). 503 naming the failing
    checks otherwise. Answers are kept for a second."""
    report = runtime().health.ready()
    checks = {
        name: {"ok": c.ok, "detail": c.detail, "required": c.required}
        for name, c in report.checks.items()
    }
    return dump(
        ReadySchema,
        {
            "status": "ready" if report.ok else "not_ready",
            "failing": report.failing,
            "checks": checks,
        },
        status=200 if report.ok else UNAVAILABLE,
    )
