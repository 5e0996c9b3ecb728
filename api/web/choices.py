"""What the filter forms offer to choose from, in the SOP's words (the ids are the values):

    sop_choices(catalog) -> [(id, name)]                    every SOP by its name
    step_choices(catalog, sop_id) -> [(id, "9. Menindaklanjuti pengaduan")]
    status_choices(catalog, sop_id) -> [(id, label)]
    scope_choice(catalog, sop_id) -> (field id, label) | None   the field the list is scoped by

Steps and statuses come from every revision of the SOP (of every SOP when none is chosen), so
a ticket still on an older revision can be found; a later revision's words win.
"""

from __future__ import annotations

from engine.app.reports.step_runs import report_scope_field
from engine.authoring.form import plain
from engine.spec.catalog import Catalog
from engine.spec.labels import field_label
from engine.spec.model import Spec


def sop_choices(catalog: Catalog) -> list[tuple[str, str]]:
    return [(s, catalog.get(s).identity.name or s) for s in catalog.sop_ids()]


def _specs(catalog: Catalog, sop_id: str | None) -> list[Spec]:
    ids = [sop_id] if sop_id in catalog.sop_ids() else catalog.sop_ids()
    return [spec for s in ids for spec in catalog.revisions(s)]  # oldest first


def step_choices(catalog: Catalog, sop_id: str | None) -> list[tuple[str, str]]:
    found: dict[str, tuple[int, str]] = {}
    for spec in _specs(catalog, sop_id):
        for step in spec.steps:
            found[step.id] = (step.no, f"{step.no}. {plain(step.activity)}")
    return [(i, text) for i, (_, text) in sorted(found.items(), key=lambda kv: kv[1])]


def status_choices(catalog: Catalog, sop_id: str | None) -> list[tuple[str, str]]:
    found = {st.id: st.label for spec in _specs(catalog, sop_id) for st in spec.statuses}
    return sorted(found.items(), key=lambda kv: kv[1])


def scope_choice(catalog: Catalog, sop_id: str | None) -> tuple[str, str] | None:
    """The one field the SOPs' scoped actors are scoped by, with its label (the latest
    revision's); None when they name none, or several (then `field:value` is typed)."""
    specs = [
        catalog.get(s) for s in ([sop_id] if sop_id in catalog.sop_ids() else catalog.sop_ids())
    ]
    fields = {f: spec for spec in specs if (f := report_scope_field(spec)) is not None}
    if len(fields) != 1:
        return None
    field, spec = next(iter(fields.items()))
    return field, field_label(spec, field)
