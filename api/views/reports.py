"""GET /v1/reports/monev?sop=&from=&to=&scope=: the monev report (engine.app.reports.monev).

JSON by default; CSV (one figure per row) with `format=csv` or `Accept: text/csv`; `format=text`
gives the terminal table. The period is [from, to) in the SOP's time zone (default: this
month). `scope` limits the report to one value of the SOP's scope field (the field of its
scoped actor); the field's own name works as the parameter too (e.g. `?unit_code=A1` when the
SOP scopes an actor by `unit_code`). A scoped token always gets its own value only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from api.auth import Principal, current
from api.errors import Forbidden, InvalidRequest
from api.schemas.reports import MonevQuerySchema
from api.views.common import attachment, load_query, runtime
from api.views.operation import operation
from engine.app.reports.monev import MAX_DAYS, monev_for
from engine.app.reports.render import as_csv, as_json, as_text
from engine.app.reports.step_runs import report_scope_field
from engine.spec.model import Spec

bp = Blueprint("reports", __name__)

CSV = "text/csv"
TEXT = "text/plain"


def _scope(spec: Spec, args: dict[str, Any], principal: Principal) -> str | None:
    field = report_scope_field(spec)
    known = {"sop", "from_", "to", "scope", "format"}
    extra = {k: v for k, v in args.items() if k not in known}
    asked = args["scope"]
    for key, value in extra.items():
        if key != field:
            hint = f"; the scope field of {spec.sop_id} is {field!r}" if field else ""
            raise InvalidRequest(
                f"unknown query parameter {key!r}{hint}", errors={key: ["unknown parameter"]}
            )
        if asked is not None and asked != value:
            raise InvalidRequest(f"give scope or {field}, not both with different values")
        asked = str(value)
    own = principal.scope
    if own is None:
        return asked
    if own.field != field or (asked is not None and asked != own.value):
        raise Forbidden(
            f"token {principal.name!r} is limited to {own.field}:{own.value}; "
            f"it cannot read the report for {asked or 'every ' + str(field)}"
        )
    return own.value


def wants_csv(fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    best = request.accept_mimetypes.best_match(["application/json", CSV])
    return best == CSV


@bp.get("/reports/monev")
@operation(
    "reports",
    query=MonevQuerySchema,
    errors=(404, 422, 503),
    media_type=("application/json", CSV, TEXT),
    refusals=(
        (
            503,
            "reports_unavailable",
            "the reports database (SOP_REPORTS_DATABASE_URL, a read replica) does not answer",
        ),
        (
            422,
            "invalid_request",
            "`from` without `to` (or the reverse); another parameter "
            "than these that is not the SOP's scope field",
        ),
        (
            422,
            "invalid_data",
            f"a period that does not end after it starts, is longer than "
            f"{MAX_DAYS} days, or reaches outside the years 0001-9999",
        ),
    ),
)
def monev() -> Response:
    """The monev report of an SOP over a period.

    Tickets received and closed; per step runs entered, finished, within the time limit,
    median and 90th-percentile time in the step's unit, loops; notifications per rule. For
    the whole SOP and per value of its scope field. `format=csv` or `Accept: text/csv`
    answers CSV.
    """
    args = load_query(MonevQuerySchema)
    rt = runtime()
    spec = rt.catalog.get(args["sop"])
    scope = _scope(spec, args, current())
    if (args["from_"] is None) != (args["to"] is None):
        raise InvalidRequest(
            "give both `from` and `to`, or neither (this month)",
            errors={"to" if args["to"] is None else "from": ["missing"]},
        )
    report = monev_for(
        rt.service, spec.sop_id, args["from_"], args["to"], scope=scope, source=rt.reports
    )
    name = f"monev-{spec.sop_id}-{report.first_day}-{report.end_day}"
    if wants_csv(args["format"]):
        return attachment(as_csv(report), CSV, f"{name}.csv")
    if args["format"] == "text":
        return Response(as_text(report), mimetype=TEXT)
    return jsonify(as_json(report))
