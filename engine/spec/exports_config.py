"""`sop/<sop-id>/integrations/exports.yaml`: hand-overs of a ticket to another system.

    check_exports(data, specs, report) -> {export id: ExportDef}

An export is what another system asks for, filled from a ticket: the operator copies it into
that system's form or uploads it (engine.app.exports gives it as JSON, CSV or text). Each column
is the other system's field (`name`, what its form calls it: `label`), taken from one ticket
field (`field`), something every ticket has (`ticket`: its id, or when it was received) or a
fixed text (`value`). `reference` names the field that holds the other system's id for the
ticket once it has one (e.g. a national system's tracking number): when an event gives that field a
value, the ticket also holds it as an external reference of `source` (engine.app.refs), so the
ticket is found by that id and no second ticket can claim it. `at` lists the steps at which the
web page offers the export (every step when left out; the API answers it at any step).

Each field and step named must exist in every revision of the SOP (engine.spec.integrations).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError, validates_schema

from engine.spec.hints import did_you_mean, one_of
from engine.spec.model import Spec
from engine.spec.report import Path, Report
from engine.spec.schema import check_structure
from engine.spec.schema_fields import IDENT, Ident, List, Map, Msg, Record, Strict, Text

__all__ = ["TICKET_VALUES", "ExportColumn", "ExportDef", "ExportRef", "check_exports"]

# What every ticket has, by the name a column's `ticket:` gives it (engine.app.exports).
TICKET_VALUES = ("id", "received_date", "received_at", "sop_number", "sop_name")
# As engine.app.refs.SOURCE (the spec may not import the app layer).
_SOURCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_TAKES = ("field", "ticket", "value")


@dataclass(frozen=True)
class ExportColumn:
    name: str  # the other system's name for it (a CSV header)
    label: str  # what its form calls it (shown on the page)
    field: str | None = None  # a ticket field id
    ticket: str | None = None  # one of TICKET_VALUES
    value: str | None = None  # a fixed text


@dataclass(frozen=True)
class ExportRef:
    source: str  # the external reference's source (engine.app.refs)
    field: str  # the ticket field that holds the other system's id


@dataclass(frozen=True)
class ExportDef:
    id: str
    label: str
    columns: tuple[ExportColumn, ...]
    steps: tuple[str, ...] = ()  # where the web page offers it; () = every step
    reference: ExportRef | None = None
    description: str | None = None

    def offered_at(self, state: str) -> bool:
        return not self.steps or state in self.steps


class ColumnSchema(Strict):
    name = Text(required=True, nonempty=True)
    label = Text(required=True, nonempty=True)
    field = Ident()
    ticket = Text(choices=TICKET_VALUES)
    value = Text()

    @validates_schema(pass_original=True, skip_on_field_errors=False)
    def _one_source(self, _data: Any, original: Any, **_kw: Any) -> None:
        if not isinstance(original, dict):
            return
        given = [k for k in _TAKES if k in original]
        if len(given) != 1:
            what = "none" if not given else " and ".join(given)
            raise ValidationError(
                [
                    Msg(
                        "bad_value",
                        f"a column takes its value from exactly one of field, ticket or value "
                        f"(here: {what})",
                        "e.g. `field: complaint_text`, `ticket: received_date` or "
                        "`value: Pengaduan`",
                    )
                ]
            )


class ReferenceSchema(Strict):
    source = Text(required=True, nonempty=True)
    field = Ident(required=True)


class ExportSchema(Strict):
    label = Text(required=True, nonempty=True)
    description = Text(allow_none=True)
    at = List(Ident(), nonempty=True)
    columns = List(Record(ColumnSchema), required=True, nonempty=True)
    reference = Record(ReferenceSchema)


class ExportsSchema(Strict):
    exports = Map(Record(ExportSchema), required=True, pattern=IDENT)


def check_exports(data: Any, specs: Sequence[Spec], report: Report) -> Mapping[str, ExportDef]:
    """The file's exports, or {} with its problems added to `report`."""
    if not check_structure(ExportsSchema(), data, report):
        return {}
    before = len(report.problems)
    found: dict[str, ExportDef] = {}
    for export_id, raw in data["exports"].items():
        found[export_id] = _export(export_id, raw, specs, report, ("exports", export_id))
    return {} if len(report.problems) > before else found


def _export(
    export_id: str, raw: dict[str, Any], specs: Sequence[Spec], report: Report, at: Path
) -> ExportDef:
    columns = []
    names: set[str] = set()
    for i, col in enumerate(raw["columns"]):
        where = (*at, "columns", i)
        if col["name"] in names:
            report.add("duplicate_value", (*where, "name"), f"column {col['name']!r} twice")
        names.add(col["name"])
        if col.get("field") is not None:
            _field(col["field"], specs, report, (*where, "field"))
        columns.append(ExportColumn(**{k: col.get(k) for k in ("name", "label", *_TAKES)}))
    for i, step in enumerate(raw.get("at") or ()):
        _step(step, specs, report, (*at, "at", i))
    reference = None
    if raw.get("reference") is not None:
        ref = raw["reference"]
        if not _SOURCE.match(ref["source"]):
            report.add(
                "bad_value",
                (*at, "reference", "source"),
                f"{ref['source']!r} is not a reference source",
                "letters, digits, '.', '_' or '-', starting with a letter or digit (≤ 100)",
            )
        _field(ref["field"], specs, report, (*at, "reference", "field"), text=True)
        reference = ExportRef(ref["source"], ref["field"])
    return ExportDef(
        id=export_id,
        label=raw["label"],
        columns=tuple(columns),
        steps=tuple(raw.get("at") or ()),
        reference=reference,
        description=raw.get("description"),
    )


def _field(
    field_id: str, specs: Sequence[Spec], report: Report, at: Path, *, text: bool = False
) -> None:
    for spec in specs:
        known = {f.id: f for f in spec.fields}
        if not _named("field", field_id, known, spec, report, at):
            return
        if text and known[field_id].type not in ("string", "text"):
            report.add(
                "wrong_type",
                at,
                f"field {field_id!r} is {known[field_id].type} in revision {spec.revision}: "
                "a reference is held in a string field",
                "name a `type: string` field",
            )
            return


def _step(step_id: str, specs: Sequence[Spec], report: Report, at: Path) -> None:
    for spec in specs:
        if not _named("step", step_id, [s.id for s in spec.ticket_steps], spec, report, at):
            return


def _named(
    kind: str, name: str, known: Collection[str], spec: Spec, report: Report, at: Path
) -> bool:
    """Whether `spec` has the `kind` (field, step) `name`; an `unknown_<kind>` problem if not."""
    if name in known:
        return True
    report.add(
        f"unknown_{kind}",
        at,
        f"revision {spec.revision} has no {kind} {name!r}",
        did_you_mean(name, known) or one_of(known),
    )
    return False
