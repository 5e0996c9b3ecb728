"""The structure of revision files and rules files, as marshmallow schemas.

`check_structure(schema, data, report)` adds one Problem per unknown key, wrong type, missing
required key or malformed value. Conditions, rule triggers and actions are `Raw` here: they are
checked with the rest of the document in view (engine.spec.conditions, engine.spec.rules_check).
docs/sop-format.md describes every key below; keep the two in step.
"""

from __future__ import annotations

from typing import Any, get_args

from marshmallow import Schema, ValidationError

from engine.spec.build import DAY_MEANINGS, TIME_MEANINGS, WEEKDAYS
from engine.spec.hints import describe
from engine.spec.model import FILE_KINDS, FieldType
from engine.spec.report import Path, Report
from engine.spec.schema_fields import (
    SLUG,
    Bool,
    Date,
    Duration,
    Ident,
    Int,
    List,
    Map,
    Msg,
    Nip,
    OfficeHours,
    Raw,
    Record,
    Strict,
    Text,
)

FORMAT_VERSIONS = (1,)
FIELD_TYPES = get_args(FieldType)
PERIODS = ("daily", "weekly", "monthly")  # as engine.core.schedule runs them


class ApproverSchema(Strict):
    # Every part as the paper has it: absent, null or "" is a blank shown as "-".
    title = Text(allow_none=True)
    name = Text(allow_none=True)
    rank = Text(allow_none=True)
    nip = Nip(allow_none=True)


class IdentitySchema(Strict):
    number = Text(allow_none=True)
    name = Text(allow_none=True)
    government = Text(allow_none=True)
    units = List(Text(), allow_none=True)
    made = Date(allow_none=True)
    revised = Date(allow_none=True)
    effective = Date(allow_none=True)
    approved_by = Record(ApproverSchema, allow_none=True)


class ActorSchema(Strict):
    label = Text(required=True, nonempty=True)
    scope_field = Ident(allow_none=True)
    description = Text(allow_none=True)


class FieldSchema(Strict):
    type = Text(choices=FIELD_TYPES)
    label = Text(required=True, nonempty=True)
    personal = Bool()
    choices = List(Text(nonempty=True), nonempty=True)
    max_length = Int(minimum=1)
    accept = List(Text(choices=FILE_KINDS), nonempty=True)  # `type: file` only (crossref)
    multiple = Bool()
    max_files = Int(minimum=1)
    max_size_mb = Int(minimum=1)
    keep_exif = Bool()
    description = Text(allow_none=True)


class StatusSchema(Strict):
    label = Text(required=True, nonempty=True)
    description = Text(allow_none=True)


class HolidaysSchema(Strict):
    country = Text(required=True, nonempty=True)
    subdiv = Text(allow_none=True)
    categories = List(Text(), nonempty=True)


class HoursOverrideSchema(Strict):
    from_ = Date(required=True, data_key="from")
    to = Date(allow_none=True)
    hours = OfficeHours()
    closed = Bool()
    note = Text(allow_none=True)


class CalendarSchema(Strict):
    time_zone = Text(nonempty=True)
    working_days = List(Text(choices=WEEKDAYS), nonempty=True)
    holidays = Record(HolidaysSchema, allow_none=True)
    collective_leave = List(Date())
    office_hours = OfficeHours(allow_none=True)
    overrides = List(Record(HoursOverrideSchema))


class DefaultsSchema(Strict):
    day = Text(choices=DAY_MEANINGS, allow_none=True)
    time = Text(choices=TIME_MEANINGS, allow_none=True)


class InputSchema(Strict):
    text = Text(required=True, nonempty=True)
    fields_ = List(Ident(), data_key="fields")  # `fields` is taken by marshmallow's Schema
    when = Raw(allow_none=True)


class BranchSchema(Strict):
    when = Raw(allow_none=True)
    to = Ident(required=True)
    status = Ident(allow_none=True)


class EventSchema(Strict):
    label = Text(allow_none=True)
    by = List(Ident(), required=True, nonempty=True)
    to = Ident()
    branches = List(Record(BranchSchema), nonempty=True)
    requires = List(Ident())
    accepts = List(Ident())
    needs = List(Ident())
    status = Ident(allow_none=True)
    pause = Bool()
    resume = Bool()
    description = Text(allow_none=True)


class SignOffSchema(Strict):
    id = Ident(required=True)
    performer = Ident(required=True)
    text = Text(required=True, nonempty=True)
    event = Ident(required=True)
    time_limit = Duration(allow_none=True)
    reject = List(Ident())


class StepSchema(Strict):
    number = Int(required=True, minimum=1)
    id = Ident(required=True)
    activity = Text(required=True, nonempty=True)
    performers = List(Ident(), required=True, nonempty=True)
    inputs = List(Record(InputSchema))
    time_limit = Duration(allow_none=True)
    output = Text(allow_none=True)
    remarks = Text(allow_none=True)
    status = Ident(allow_none=True)
    events = Map(Record(EventSchema))
    calendar = Ident(allow_none=True)
    periodic = Text(choices=PERIODS, allow_none=True)
    final = Bool()
    signoffs = List(Record(SignOffSchema), nonempty=True)


class InvariantSchema(Strict):
    id = Ident(required=True)
    text = Text(required=True, nonempty=True)
    holds = Raw(allow_none=True)
    status = List(Ident(), nonempty=True)
    at = List(Ident(), nonempty=True)


class RevisionSchema(Strict):
    format_version = Int(required=True)
    id = Text(required=True, pattern=SLUG)
    revision = Text(required=True, nonempty=True)
    identity = Record(IdentitySchema, allow_none=True)
    in_force_from = Date(allow_none=True)
    legal_basis = List(Text())
    qualifications = List(Text())
    related_sops = List(Text())
    equipment = List(Text())
    warnings = List(Text())
    record_keeping = List(Text())
    performers = List(Ident())
    actors = Map(Record(ActorSchema), required=True)
    fields_ = Map(Record(FieldSchema), data_key="fields")
    statuses = Map(Record(StatusSchema))
    initial_status = Ident(allow_none=True)
    calendars = Map(Record(CalendarSchema))
    defaults = Record(DefaultsSchema, allow_none=True)
    default_calendar = Ident(allow_none=True)
    rules = List(Text(nonempty=True))
    start = Ident(required=True)
    steps = List(Record(StepSchema), required=True, nonempty=True)
    invariants = List(Record(InvariantSchema))


class RuleSchema(Strict):
    id = Text(required=True, pattern=SLUG)
    description = Text(allow_none=True)
    when = Raw(required=True)
    then = List(Raw(), required=True, nonempty=True)


class RulesFileSchema(Strict):
    format_version = Int(required=True)
    id = Text(required=True, pattern=SLUG)
    templates = Map(Text())
    rules = List(Record(RuleSchema), required=True)


REVISION = RevisionSchema()
RULES_FILE = RulesFileSchema()

_DEFAULTS = {
    "Missing data for required field.": ("missing_key", "this required key is missing"),
    "Field may not be null.": ("wrong_type", "expected a value, got nothing (null)"),
}


def check_structure(schema: Schema, data: Any, report: Report, prefix: Path = ()) -> bool:
    """Add a problem per structural error of `data`; True when there was none."""
    errors = schema.validate(data)
    if not errors:
        return True
    _walk(errors, prefix, data, prefix, report)
    return False


def _walk(errors: Any, path: Path, data: Any, prefix: Path, report: Report) -> None:
    if isinstance(errors, dict):
        for key, sub in errors.items():
            here = path if key == "_schema" else (*path, key)
            _walk(sub, here, data, prefix, report)
        return
    for msg in errors if isinstance(errors, list) else [errors]:
        if isinstance(msg, Msg):
            report.add(msg.code, path, msg.message, msg.hint)
        elif isinstance(msg, dict | list):
            _walk(msg, path, data, prefix, report)
        else:
            code, text = _DEFAULTS.get(str(msg), ("wrong_type", str(msg)))
            if code == "missing_key":
                text = f"the required key {path[-1]!r} is missing"
            elif str(msg) == "Invalid input type.":
                text = f"expected a mapping of keys, got {describe(_at(data, path[len(prefix) :]))}"
            report.add(code, path, text)


def _at(data: Any, path: Path) -> Any:
    for part in path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


__all__ = ["FORMAT_VERSIONS", "REVISION", "RULES_FILE", "ValidationError", "check_structure"]
