"""POST /v1/admin/reload (admin tokens only), and the same reload for `sop serve`'s SIGHUP;
POST /v1/admin/notifications/redeliver (admin tokens only): dead letters sent again.

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
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response

from api.auth import require_admin
from api.errors import ReloadRefused
from api.runtime import Runtime
from api.schemas.admin import RedeliverBodySchema, RedeliverSchema, ReloadSchema
from api.views.common import dump, load_body, runtime
from api.views.operation import operation
from api.workers import wake_notifier
from engine.app.dead_letters import redeliver
from engine.app.revisions.reload import ReloadResult, reload_service
from engine.errors import SopInvalid
from engine.spec.catalog import Catalog

log = logging.getLogger(__name__)

bp = Blueprint("admin", __name__)


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
    principal = require_admin("reload the SOPs")
    try:
        result = reload_runtime(runtime())
    except SopInvalid as exc:
        raise ReloadRefused(exc) from None
    log.info("reload by %s: %s", principal.name, result.summary())
    return dump(ReloadSchema, result.as_dict())


@bp.post("/admin/notifications/redeliver")
@operation(
    "admin",
    body=RedeliverBodySchema,
    response=RedeliverSchema,
    errors=(403, 422),
    refusals=(
        (
            422,
            "invalid_request",
            "`channel` names no channel of the notification config, or neither a filter "
            "(`ids`, `ticket`, `channel`) nor `all: true` is given",
        ),
    ),
)
def redeliver_dead_letters() -> Response:
    """Send dead letters again (admin).

    The dead letters named by `ids`, `ticket` and `channel` (all given must hold), or every one
    with `all: true`, go back in the queue with their attempts at 0 and are sent at once; a
    channel that took one before is skipped. `dry_run` lists them only. At most `limit`, oldest
    first (`remaining` says how many more matched). Items carry no message text. The token's
    name is logged as who asked. An unknown `channel`, or no filter and no `all`, is 422
    `invalid_request`, changing nothing.
    """
    principal = require_admin("redeliver notifications")
    body = load_body(RedeliverBodySchema)
    rt = runtime()
    result = redeliver(
        rt.store,
        rt.routing,
        asked_by=f"token {principal.name!r}",
        now=datetime.now(UTC),
        ids=body["ids"],
        ticket_id=body["ticket"],
        channel=body["channel"],
        everything=body["all"],
        dry_run=body["dry_run"],
        limit=body["limit"],
    )
    if result.letters and not result.dry_run:
        wake_notifier()
    return dump(RedeliverSchema, result.as_dict())
