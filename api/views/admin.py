"""POST /v1/admin/reload (admin tokens only), and the same reload for `sop serve`'s SIGHUP.

The SOP folder is read again; new revision files are validated and added to the running catalog.
If any file is invalid, or a published revision was edited in place, the reload is refused with
every problem, per file (`errors`: file -> ["line:col: code: path: message (hint)", ...]), and
nothing running changes. See engine/app/revisions/reload.py.

A reload swaps the catalog of the process that handles it. Under gunicorn each worker holds its
own catalog, so this endpoint reloads one worker only: there, check the folder first
(`sop validate`) and send SIGHUP to the gunicorn master, which starts fresh workers.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Blueprint, Response

from api.auth import current
from api.errors import Forbidden, ReloadRefused
from api.runtime import Runtime
from api.schemas.admin import ReloadSchema
from api.views.common import dump, runtime
from api.views.operation import operation
from engine.app.revisions.reload import ReloadResult, reload_service
from engine.errors import SopInvalid
from engine.spec.catalog import Catalog

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__)

ADMIN_ROLE = "admin"


def reload_runtime(rt: Runtime) -> ReloadResult:
    """Validate the SOP folder and swap the runtime and its service to it (or raise)."""
    cfg = rt.settings

    def publish(catalog: Catalog) -> None:
        rt.catalog = catalog

    return reload_service(rt.service, cfg["SOP_ROOT"], cfg.get("SOP_RULES_DIR"), publish)


def sighup_handler(rt: Runtime) -> Any:
    """A signal handler that reloads on a thread (the serving thread must not wait for it)."""

    def reload_logged() -> None:
        try:
            log.info("SIGHUP: reloaded the SOPs: %s", reload_runtime(rt).summary())
        except SopInvalid as exc:
            log.error("SIGHUP: reload refused, still serving as before: %s\n%s", exc.message, exc)
        except Exception:
            log.exception("SIGHUP: reload failed, still serving as before")

    def handle(_signum: int, _frame: Any) -> None:
        threading.Thread(target=reload_logged, name="sop-reload", daemon=True).start()

    return handle


@bp.post("/admin/reload")
@operation("admin", response=ReloadSchema, errors=(403, 422))
def reload() -> Response:
    """Reload the SOP folder (admin).

    Validates every revision file and adds new revisions to the running catalog, as SIGHUP
    does. Refused with every problem per file (`errors`: file -> messages), changing nothing,
    when a file is invalid (`sop_invalid`) or a revision that governed tickets was edited in
    place (`revision_changed`).
    """
    principal = current()
    if ADMIN_ROLE not in principal.roles:
        raise Forbidden(f"token {principal.name!r} may not reload the SOPs (needs admin)")
    try:
        result = reload_runtime(runtime())
    except SopInvalid as exc:
        raise ReloadRefused(exc) from None
    log.info("reload by %s: %s", principal.name, result.summary())
    return dump(ReloadSchema, result.as_dict())
