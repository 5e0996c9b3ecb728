"""The SOP pages: the index, a revision as its paper form with the flow diagram, and the
side-by-side comparison of two revisions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, request
from marshmallow import ValidationError

from api.errors import ApiError, InvalidRequest
from api.views.common import runtime
from api.web import bp
from api.web.flow import PERIODS, flow_chart
from api.web.vendor import mermaid_on_page
from engine.authoring.diff import diff_specs
from engine.authoring.diff_model import SECTIONS, Change
from engine.authoring.diff_render import value_text
from engine.authoring.diff_steps import match_steps
from engine.authoring.form import duration_text, input_text, signoff_lines
from engine.errors import SopError
from engine.spec.labels import actor_label, condition_words
from engine.spec.model import END, Spec, Step

PERIOD_WORDS = PERIODS


@bp.errorhandler(SopError)
def _sop_error(exc: SopError) -> tuple[str, int]:
    from api.errors import engine_status

    status, title = engine_status(exc)
    return render_template("error.html", status=status, title=title, detail=exc.message), status


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> tuple[str, int]:
    return render_template(
        "error.html", status=exc.status, title=exc.title, detail=exc.detail
    ), exc.status


@bp.errorhandler(ValidationError)
def _bad_query(exc: ValidationError) -> tuple[str, int]:
    detail = "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in _messages(exc).items())
    return render_template("error.html", status=422, title="Invalid request", detail=detail), 422


def _messages(exc: ValidationError) -> dict[str, Any]:
    return exc.messages if isinstance(exc.messages, dict) else {"query": exc.messages}


@bp.get("/")
def root() -> Any:
    from flask import redirect, url_for

    return redirect(url_for("web.index"))


@bp.get("/web/")
def index() -> str:
    catalog = runtime().catalog
    sops = [(sop_id, catalog.revisions(sop_id)) for sop_id in catalog.sop_ids()]
    return render_template("index.html", sops=sops)


@dataclass(frozen=True)
class Row:
    """One activity-table row of the paper form."""

    step: Step
    marks: tuple[str, ...]  # per performer column: "", "process", "decision", "terminal"
    others: tuple[str, ...]  # performers that have no column on the form
    time: str
    signoffs: tuple[str, ...] = ()  # the row's sign-offs in order, as the form words them


def symbol(spec: Spec, step: Step) -> str:
    targets = {t for ev in step.events for t in ev.targets}
    if step.id == spec.start or END in targets or step.final:
        return "terminal"
    return "decision" if len(targets) > 1 else "process"


def form_rows(spec: Spec) -> list[Row]:
    rows = []
    for step in spec.steps:
        shape = symbol(spec, step)
        marks = tuple(shape if p in step.performers else "" for p in spec.performers)
        others = tuple(p for p in step.performers if p not in spec.performers)
        signoffs = tuple(signoff_lines(spec, step))
        rows.append(Row(step, marks, others, duration_text(step.time_limit), signoffs))
    return rows


@bp.get("/web/sops/<sop>/<rev>")
def sop_form(sop: str, rev: str) -> str:
    spec = runtime().catalog.get(sop, rev)
    mermaid = mermaid_on_page()
    return render_template(
        "sop_form.html",
        spec=spec,
        rows=form_rows(spec),
        performers=[actor_label(spec, p) for p in spec.performers],
        label=lambda a: actor_label(spec, a),
        only_when=lambda i: condition_words(spec, i.when) if i.when is not None else "",
        flow=flow_chart(spec),
        mermaid=mermaid,
        periods=PERIOD_WORDS,
    )


STEP_CELLS = ("activity", "performers", "inputs", "time_limit", "output", "remarks")


def _cells(spec: Spec, step: Step | None) -> dict[str, str]:
    if step is None:
        return {}
    return {
        "activity": step.activity,
        "performers": ", ".join(actor_label(spec, p) for p in step.performers),
        "inputs": "; ".join(input_text(spec, i) for i in step.inputs),
        "time_limit": duration_text(step.time_limit),
        "output": step.output,
        "remarks": step.remarks,
    }


@dataclass(frozen=True)
class Pair:
    no_a: int | None
    no_b: int | None
    a: dict[str, str]
    b: dict[str, str]
    kind: str  # "same", "changed", "added", "removed"

    def differs(self, cell: str) -> bool:
        return self.a.get(cell, "") != self.b.get(cell, "")


def step_pairs(a: Spec, b: Spec) -> list[Pair]:
    match = match_steps(a, b)
    out: list[Pair] = []
    for old, new in match.pairs:
        ca, cb = _cells(a, old), _cells(b, new)
        same = ca == cb and old.no == new.no and old.events == new.events
        out.append(Pair(old.no, new.no, ca, cb, "same" if same else "changed"))
    out.extend(Pair(s.no, None, _cells(a, s), {}, "removed") for s in match.removed)
    out.extend(Pair(None, s.no, {}, _cells(b, s), "added") for s in match.added)
    return sorted(out, key=lambda p: (p.no_b or p.no_a or 0, p.no_a or 0))


def change_rows(changes: list[Change]) -> list[dict[str, str]]:
    return [
        {
            "section": SECTIONS.get(c.section, c.section),
            "kind": c.kind,
            "subject": c.label or c.subject,
            "attribute": c.attribute,
            "before": value_text(c.before) if c.kind != "added" else "",
            "after": value_text(c.after) if c.kind != "removed" else "",
            "note": c.note,
        }
        for c in changes
    ]


@bp.get("/web/sops/<sop>/diff")
def sop_diff(sop: str) -> str:
    catalog = runtime().catalog
    revisions = catalog.revisions(sop)
    names = [s.revision for s in revisions]
    first = request.args.get("from") or (names[-2] if len(names) > 1 else names[-1])
    second = request.args.get("to") or names[-1]
    if first == second and len(names) > 1:
        raise InvalidRequest("choose two different revisions to compare")
    a, b = catalog.get(sop, first), catalog.get(sop, second)
    result = diff_specs(a, b)
    return render_template(
        "sop_diff.html",
        a=a,
        b=b,
        names=names,
        pairs=step_pairs(a, b),
        cells=STEP_CELLS,
        changes=change_rows(list(result.changes)),
    )
