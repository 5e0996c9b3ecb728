"""GET /v1/health: public, for load balancers and the end-to-end tests' start-up wait."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Blueprint, Response

from api.schemas.health import HealthSchema
from api.views.common import dump, runtime
from api.views.operation import operation

bp = Blueprint("health", __name__)


def _version() -> str:
    try:
        return version("sop-engine")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "unknown"


@bp.get("/health")
@operation("health", response=HealthSchema, public=True)
def health() -> Response:
    """Is the server up."""
    rt = runtime()
    return dump(
        HealthSchema,
        {
            "status": "ok",
            "version": _version(),
            "now": rt.clock.now(),
            "clock": "manual" if rt.manual_clock is not None else "system",
            "database": rt.dialect,
            "sops": sum(1 for _ in rt.catalog),
        },
    )
