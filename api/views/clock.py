"""GET/POST /v1/clock: read and move the manual clock (only with `--clock manual`)."""

from __future__ import annotations

from flask import Blueprint, Response

from api.auth import require_clock
from api.errors import Stopping
from api.schemas.clock import ClockMoveSchema, ClockSchema
from api.views.common import dump, load_body, runtime
from api.views.operation import operation
from api.workers import wake_notifier
from engine.app.clock_moves import move_manual_clock
from engine.app.sweeper import Sweeper
from engine.core.clock import ManualClock
from engine.errors import NotFound

bp = Blueprint("clock", __name__)


def manual_clock() -> ManualClock:
    clock = runtime().manual_clock
    if clock is None:
        raise NotFound("this server runs on the system clock; start it with --clock manual")
    return clock


@bp.get("/clock")
@operation("clock", response=ClockSchema, errors=(404,))
def read_clock() -> Response:
    """The manual clock's time.

    Only on servers started with `--clock manual`; 404 otherwise.
    """
    return dump(ClockSchema, {"now": manual_clock().now(), "swept": 0})


@bp.post("/clock")
@operation(
    "clock",
    body=ClockMoveSchema,
    response=ClockSchema,
    errors=(404, 422, 503),
    refusals=(
        (
            422,
            "invalid_request",
            "not exactly one of `advance` and `set`; an `advance` that "
            "is not a duration (`36 hours`, `2 working days`), a `set` before the clock's time, "
            "a move longer than the server's maximum (`SOP_CLOCK_MAX_MOVE`, 400 days unless "
            "set), a `sop` not loaded",
        ),
    ),
)
def move_clock() -> Response:
    """Move the manual clock and sweep.

    Only with `--clock manual`: moves the clock, once a sweep under way has finished at the
    time it read, then applies every deadline now due. A move it cannot make, or of more than
    the server's maximum per call (`SOP_CLOCK_MAX_MOVE`, 400 days unless set): 422
    `invalid_request`, `errors` naming `set`, `advance` or `sop`; the clock stands. When the
    server stops during the sweep: 503 `stopping`, what was applied is kept.
    """
    clock = manual_clock()
    require_clock()
    body = load_body(ClockMoveSchema)
    rt = runtime()
    now = move_manual_clock(clock, rt.catalog, to=body["set"], by=body["advance"], sop=body["sop"])
    swept = Sweeper(rt.service).run_once()  # at the clock's time, held: this move's, or later
    wake_notifier()
    if rt.service.stopping.is_set():
        raise Stopping(
            f"the server is stopping: the clock moved to {now.isoformat()} and {swept} due "
            "event(s) were applied; the rest is applied by the sweep after the restart"
        )
    return dump(ClockSchema, {"now": now, "swept": swept})
