"""/web/work, "Tugas saya": the tickets waiting on the signed-in person's SOP actors, in their
scope (GET /v1/work's answer as a page: api.views.work, engine.app.work)."""

from __future__ import annotations

from flask import render_template, request

from api.auth import ANY_ACTOR, current
from api.present.tickets import ticket_view
from api.views.access import maskers, reader
from api.views.common import runtime
from api.views.work import check_filters, principal_work
from api.web import bp
from api.web.choices import status_choices, step_choices
from engine.app.work import work_steps

PAGE = 100


@bp.get("/web/work")
def work() -> str:
    rt = runtime()
    principal = current()
    args = {k: (request.args.get(k) or "").strip() or None for k in ("state", "status", "q")}
    check_filters(rt.catalog, args["state"], args["status"])
    found = principal_work(
        principal, step=args["state"], status=args["status"], q=args["q"], limit=PAGE
    )
    now, who = rt.clock.now(), reader()
    masks = maskers(found.items, who)
    rows = [(r, ticket_view(r, now, who, masks[r.id])) for r in found.items]
    actors = None if ANY_ACTOR in principal.actors else principal.actors
    mine = {step for steps in work_steps(rt.catalog, actors).values() for step in steps}
    return render_template(
        "work.html",
        rows=rows,
        counts=found.counts,
        args=args,
        steps=[(s, text) for s, text in step_choices(rt.catalog, None) if s in mine],
        statuses=status_choices(rt.catalog, None),
        names={s: rt.catalog.get(s).identity.name or s for s in rt.catalog.sop_ids()},
        several=len(rt.catalog.sop_ids()) > 1,
        no_actors=not principal.actors,
        now=now,
        limit=PAGE,
    )
