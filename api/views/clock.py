"""GET/POST /v1/clock: read and move the manual clock (only with `--clock manual`)."""

from __future__ import annotations

from flask import Blueprint, Response

from api.auth import require_clock
from api.errors import InvalidRequest
from api.schemas.clock import ClockMoveSchema, ClockSchema
from api.views.common import dump, load_body, runtime
from api.views.operation import operation
from api.workers import wake_notifier
from engine.app.sweeper import Sweeper
from engine.core.clock import ManualClock
from engine.errors import NotFound, UnknownSop
from engine.spec.model import Calendar

bp = Blueprint("clock", __name__)


def manual_clock() -> ManualClock:
    clock = runtime().manual_clock
    if clock is None:
        raise NotFound("this server runs on the system clock; start it with --clock manual")
    return clock


def _calendar(sop: str | None) -> Calendar | None:
    catalog = runtime().catalog
    ids = catalog.sop_ids()
    if sop is None and len(ids) != 1:
        return None
    try:
        return catalog.get(sop or ids[0]).calendar()
    except UnknownSop as exc:
        raise InvalidRequest(exc.message, errors={"sop": [exc.message]}) from None


@bp.get("/clock")
@operation("clock", response=ClockSchema, errors=(404,))
def read_clock() -> Response:
    """The manual clock's time.

    Only on servers started with `--clock manual`; 404 otherwise.
    """
    return dump(ClockSchema, {"now": manual_clock().now(), "swept": 0})


@bp.post("/clock")
@operation("clock", body=ClockMoveSchema, response=ClockSchema, errors=(404, 422))
def move_clock() -> Response:
    """Move the manual clock and sweep.

    Only with `--clock manual`: moves the clock, then applies every deadline now due.
    """
    clock = manual_clock()
    require_clock()
    body = load_body(ClockMoveSchema)
    try:
        if body["set"] is not None:
            now = clock.set(body["set"])
        else:
            now = clock.advance(body["advance"], _calendar(body["sop"]))
    except ValueError as exc:
        key = "set" if body["set"] is not None else "advance"
        raise InvalidRequest(str(exc), errors={key: [str(exc)]}) from None
    swept = Sweeper(runtime().service).run_once(now)
    wake_notifier()
    return dump(ClockSchema, {"now": now, "swept": swept})
