"""The ticket pages: a filtered list with overdue marks, and one ticket's timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import render_template, request, url_for

from api.auth import current
from api.errors import InvalidRequest
from api.present.tickets import entry_view, ticket_view
from api.views.access import masker, maskers, reader, scope_filter, visible_ticket
from api.views.common import runtime
from api.web import bp
from api.web.choices import scope_choice, sop_choices, status_choices, step_choices
from api.web.flow import MARK_LEGEND, ticket_flow
from api.web.forms import event_forms, files_html
from api.web.pages_exports import offered_exports
from api.web.sop_words import event_words, step_no, step_words, value_html
from api.web.vendor import mermaid_on_page
from engine.app.reports.step_runs import report_scope_field
from engine.authoring.signoff_notes import signoff_note
from engine.core.apply import TIMER_EVENTS
from engine.core.model import StepRun, Ticket
from engine.core.timing import run_late
from engine.spec.labels import field_label
from engine.spec.model import Spec

PAGE = 100
YES_NO = {"": None, "yes": True, "no": False}


def _yes_no_arg(name: str) -> bool | None:
    value = request.args.get(name, "")
    if value not in YES_NO:
        raise InvalidRequest(f"{name} must be yes, no or empty")
    return YES_NO[value]


@bp.get("/web/tickets")
def tickets() -> str:
    rt = runtime()
    args = {k: (request.args.get(k) or None) for k in ("sop", "state", "status", "scope", "after")}
    by = scope_choice(rt.catalog, args["sop"])
    value = (request.args.get("scope_value") or "").strip()
    if by is not None and value:  # the form's box: the value of the one scope field
        args["scope"] = f"{by[0]}:{value}"
    scope = scope_filter(
        current(), args["scope"] if args["scope"] and ":" in args["scope"] else None
    )
    page = rt.service.list_tickets(
        sop_id=args["sop"],
        state=args["state"],
        status=args["status"],
        scope=scope,
        overdue=_yes_no_arg("overdue"),
        open=_yes_no_arg("open"),
        limit=PAGE,
        cursor=args["after"],
    )
    now, who = rt.clock.now(), reader()
    found = maskers(page.items, who)
    rows = [(r, ticket_view(r, now, who, found[r.id])) for r in page.items]
    return render_template(
        "tickets.html",
        rows=rows,
        args=args,
        overdue=request.args.get("overdue", ""),
        open=request.args.get("open", ""),
        sops=sop_choices(rt.catalog),
        steps=step_choices(rt.catalog, args["sop"]),
        statuses=status_choices(rt.catalog, args["sop"]),
        scope_by=by,
        next_url=_next_url(page.next_cursor),
        now=now,
        scoped=current().scope,
    )


def _next_url(cursor: object) -> str | None:
    if cursor is None:
        return None
    args: dict[str, Any] = {**request.args.to_dict(), "after": str(cursor)}
    return url_for("web.tickets", **args)


@dataclass(frozen=True)
class RunRow:
    no: int
    step: str
    activity: str
    run: StepRun
    late: bool
    open: bool

    @property
    def verdict(self) -> str:
        if self.open:
            return "terlambat" if self.late else "berjalan"
        return "terlambat" if self.late else "tepat waktu"


def run_rows(spec: Spec, ticket: Ticket, now: datetime) -> list[RunRow]:
    """The ticket's step runs, finished ones first; late as the core judges it at `now`."""
    runs = [(run, False) for run in ticket.history]
    if ticket.active is not None and ticket.is_open:
        runs.append((ticket.active, True))
    return [
        RunRow(run.no, run.step, _activity(spec, run.step), run, run_late(run, now), running)
        for run, running in runs
    ]


def _activity(spec: Spec, step_id: str) -> str:
    try:
        return spec.step(step_id).activity
    except KeyError:
        return step_id


def _signoff_text(spec: Spec, step_id: str, signoff_id: str) -> str:
    try:
        step = spec.step(step_id)
    except KeyError:
        return signoff_id
    return next((s.text for s in step.signoffs if s.id == signoff_id), signoff_id)


@bp.get("/web/tickets/<ticket_id>")
def ticket(ticket_id: str) -> str:
    return ticket_page(ticket_id, sent=request.args.get("sent"))


def ticket_page(ticket_id: str, **extra: Any) -> str:
    """The ticket's page; `extra` for its forms (api.web.pages_forms: a refused form's values
    and messages) and the notice above them."""
    rt = runtime()
    record = visible_ticket(ticket_id)
    spec, now, who = record.spec, rt.clock.now(), reader()
    timeline = rt.service.timeline(ticket_id)
    shown = masker(record, who, timeline)
    view = ticket_view(record, now, who, shown)
    entries = [entry_view(spec, e, who, shown) for e in timeline]
    labels = {a.id: a.label for a in spec.actors}
    fields = [
        (f.label, f.id, view["fields"].get(f.id)) for f in spec.fields if f.id in view["fields"]
    ]
    return render_template(
        "ticket.html",
        t=view,
        spec=spec,
        runs=run_rows(spec, record.ticket, now),
        entries=entries,
        labels=labels,
        timer_events=TIMER_EVENTS,
        timer_steps={t.name: t.step for t in record.ticket.timers},
        fields=fields,
        step_no=lambda s: step_no(spec, s),
        step_words=lambda s: step_words(spec, s),
        event_label=lambda name, step: event_words(spec, name, step),
        field_label=lambda f: field_label(spec, f),
        value_html=lambda v, label: files_html(ticket_id, v, label) or value_html(v, label),
        forms=event_forms(spec, record.ticket, view["allowed_events"], current()),
        signoff=lambda e: signoff_note(
            spec, e["from_state"], e["event"], e.get("data"), words=True
        ),
        signoff_text=lambda step_id, sid: _signoff_text(spec, step_id, sid),
        scope_field=report_scope_field(spec),
        zone=spec.calendar().time_zone,
        now=now,
        flow=ticket_flow(spec, record.ticket),
        flow_marks=MARK_LEGEND,
        mermaid=mermaid_on_page(),
        exports=offered_exports(record, who, shown),
        **extra,
    )
