"""The monev report page: the API's report (engine.app.reports.monev) with server-drawn charts."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request, url_for
from markupsafe import Markup

from api.auth import current
from api.errors import Forbidden, InvalidRequest
from api.views.common import attachment, runtime
from api.web import bp
from api.web.charts import share_chart, time_chart
from api.web.choices import sop_choices
from api.web.sop_words import event_words
from api.web.text import amount
from engine.app.reports.model import MonevReport, Section
from engine.app.reports.monev import monev_for
from engine.app.reports.render import as_csv
from engine.app.reports.step_runs import report_scope_field
from engine.authoring.form import duration_text, plain
from engine.spec.labels import field_label


def _day(name: str) -> date | None:
    value = request.args.get(name) or None
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidRequest(f"`{name}` must be a date, YYYY-MM-DD; got {value!r}") from None


def _scope(field: str | None) -> str | None:
    asked = request.args.get("scope") or None
    own = current().scope
    if own is None:
        return asked
    if own.field != field or (asked is not None and asked != own.value):
        raise Forbidden(f"this token reads the report for {own.field} {own.value} only")
    return own.value


def _short(step_no: int, activity: str) -> str:
    text = plain(activity)
    return f"{step_no}. {text if len(text) <= 30 else text[:29].rstrip() + '…'}"


def charts(report: MonevReport, scope_label: str) -> dict[str, Markup]:
    total = report.total
    steps = [s for s in total.steps if s.entered or s.finished]
    out = {
        "share_steps": share_chart(
            [(_short(s.no, s.activity), s.share_met, f"({s.met}/{s.with_limit})") for s in steps],
            "Bagian langkah yang tuntas dalam batas waktu, per langkah",
        ),
        "time_steps": time_chart(
            [
                (
                    _short(s.no, s.activity),
                    s.median,
                    s.p90,
                    _limit_amount(report, s.id),
                    f"median {amount(s.median, s.unit)}, p90 {amount(s.p90, s.unit)}",
                )
                for s in steps
            ],
            "Waktu per langkah: median (batang) dan persentil ke-90 (garis) terhadap batas waktu",
        ),
    }
    if report.scopes:
        out["share_scopes"] = share_chart(
            [(s.scope or "(belum ditentukan)", _share(s), _share_note(s)) for s in report.scopes],
            f"Bagian langkah yang tuntas dalam batas waktu, per {scope_label}",
        )
    return out


def _share(section: Section) -> float | None:
    limited = sum(s.with_limit for s in section.steps)
    return sum(s.met for s in section.steps) / limited if limited else None


def _share_note(section: Section) -> str:
    limited = sum(s.with_limit for s in section.steps)
    return f"({sum(s.met for s in section.steps)}/{limited} langkah)"


def _limit_amount(report: MonevReport, step_id: str) -> float | None:
    spec = runtime().catalog.get(report.sop_id, report.revision)
    try:
        limit = spec.step(step_id).time_limit
    except KeyError:
        return None
    return float(limit.amount) if limit is not None and limit.amount else None


def _report() -> tuple[MonevReport, list[str], str | None]:
    rt = runtime()
    ids = rt.catalog.sop_ids()
    sop_id = request.args.get("sop") or ids[0]
    field = report_scope_field(rt.catalog.get(sop_id))
    first, end = _day("from"), _day("to")
    if (first is None) != (end is None):
        raise InvalidRequest("give both `from` and `to`, or neither (this month)")
    report = monev_for(rt.service, sop_id, first, end, scope=_scope(field), source=rt.reports)
    return report, ids, field


@bp.get("/web/reports/monev")
def monev() -> str:
    report, ids, field = _report()
    query: dict[str, Any] = {"sop": report.sop_id, "from": report.first_day, "to": report.end_day}
    if report.total.scope:
        query["scope"] = report.total.scope
    spec = runtime().catalog.get(report.sop_id, report.revision)
    scope_label = field_label(spec, field) if field else "lingkup"
    return render_template(
        "monev.html",
        r=report,
        spec=spec,
        sops=[(s, name) for s, name in sop_choices(runtime().catalog) if s in ids],
        charts=charts(report, scope_label),
        query=query,
        scope_field=scope_label if field else None,
        finished_by=lambda name, step_id: event_words(spec, name, step_id),
        limits={s.id: duration_text(s.time_limit) for s in spec.steps},
        csv_url=url_for("web.monev_csv", **query),
    )


@bp.get("/web/reports/monev.csv")
def monev_csv() -> Response:
    """The same CSV as the API's, for a browser signed in with the cookie."""
    report, _, _ = _report()
    name = f"monev-{report.sop_id}-{report.first_day}-{report.end_day}.csv"
    return attachment(as_csv(report), "text/csv", name)
