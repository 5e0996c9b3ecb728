"""`sop/<sop-id>/integrations/open311.yaml`: the Open311 GeoReport v2 facade's settings.

    check_open311(data, specs, report) -> Open311Config | None

What an Open311 client sees of one SOP, and how its words land on the SOP's fields:

- `services`: the service codes the facade offers for this SOP (one, or one per category:
  each may `set` fixed field values on the tickets it opens, e.g. `category: Jalan`);
- `fields`: Open311 request keys (`description`, `address_string`, `lat`, `long`,
  `media_url`, `email`, `phone`, `first_name`, `last_name`) -> the SOP field that holds each;
- `attributes`: SOP fields a client fills in as `attribute[<field id>]`, with `required`,
  `order` and a `description`; their datatype and values come from the field itself;
- `set`: fixed values for every service's tickets; `agency_responsible`: the scope field
  that names the agency (an actor's `scope_field`).

Every field, and every choice a fixed value names, must exist in every revision of the SOP:
a revision that drops one is refused until the mapping follows (docs/sop-format.md,
"Integration settings"). Nothing here names a particular SOP's fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.errors import Problem
from engine.spec.hints import describe, did_you_mean, one_of
from engine.spec.model import Spec
from engine.spec.report import Path, Report
from engine.spec.schema import check_structure
from engine.spec.schema_fields import SLUG, Bool, Ident, Int, List, Map, Raw, Record, Strict, Text

__all__ = [
    "LOCATION_KEYS",
    "NAME_KEYS",
    "REQUEST_KEYS",
    "Open311Attribute",
    "Open311Config",
    "Open311Service",
    "check_open311",
    "shared_codes",
]

SERVICE_TYPES = ("realtime", "batch", "blackbox")
LOCATION_KEYS = ("address_string", "lat", "long")
NAME_KEYS = ("first_name", "last_name")
# The Open311 request keys a field may take, and the SOP field types that can hold each.
_TEXTS = ("string", "text")
REQUEST_KEYS: dict[str, tuple[str, ...]] = {
    "description": _TEXTS,
    "address_string": _TEXTS,
    "lat": ("number", *_TEXTS),
    "long": ("number", *_TEXTS),
    "media_url": ("url", *_TEXTS),
    "email": ("email", *_TEXTS),
    "phone": ("phone", *_TEXTS),
    "first_name": _TEXTS,
    "last_name": _TEXTS,
}
# Keys that may share one field: a location written as "address (lat, long)", a name as
# "first last". Any other two keys on one field could not be read back apart.
_SHARING = (frozenset(LOCATION_KEYS), frozenset(NAME_KEYS))


@dataclass(frozen=True)
class Open311Service:
    code: str  # the service_code
    name: str
    description: str = ""
    group: str = ""
    keywords: tuple[str, ...] = ()
    type: str = "realtime"
    # Field values every ticket this service opens gets (and by which its tickets are found).
    fixed: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=True)


@dataclass(frozen=True)
class Open311Attribute:
    field: str  # the SOP field id, also the attribute's `code`
    required: bool = False
    order: int = 0
    description: str = ""  # "" : the field's label


@dataclass(frozen=True)
class Open311Config:
    services: tuple[Open311Service, ...]
    # Open311 request key -> SOP field id.
    fields: Mapping[str, str] = field(default_factory=dict, hash=False, compare=True)
    attributes: tuple[Open311Attribute, ...] = ()
    # Field values every ticket the facade opens gets, whatever its service.
    fixed: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=True)
    agency_responsible: str | None = None  # a scope field

    def attributes_of(self, service: Open311Service) -> tuple[Open311Attribute, ...]:
        """The attributes a client fills in for `service`: a field it fixes is not asked."""
        return tuple(a for a in self.attributes if a.field not in service.fixed)


class _ServiceSchema(Strict):
    name = Text(required=True, nonempty=True)
    description = Text(allow_none=True)
    group = Text(allow_none=True)
    keywords = List(Text(nonempty=True))
    type = Text(choices=SERVICE_TYPES)
    set = Raw()  # field id -> value, checked against each revision below


class _AttributeSchema(Strict):
    required = Bool()
    order = Int(minimum=0)
    description = Text(allow_none=True)


class _FileSchema(Strict):
    services = Map(Record(_ServiceSchema), pattern=SLUG, required=True)
    fields_ = Map(Ident(), pattern=None, data_key="fields")
    attributes = Map(Record(_AttributeSchema))
    set = Raw()
    agency_responsible = Ident(allow_none=True)


_FILE = _FileSchema()


def check_open311(data: Any, specs: Sequence[Spec], report: Report) -> Open311Config | None:
    """The settings in `data` (the YAML document), checked against every revision in `specs`;
    None, with the problems in `report`, when they cannot be used."""
    if not check_structure(_FILE, data, report):
        return None
    before = len(report.problems)
    fields = dict(data.get("fields") or {})
    _check_request_keys(fields, report)
    _check_sharing(fields, report)
    attributes = dict(data.get("attributes") or {})
    fixed = _fixed(data.get("set"), ("set",), report)
    services = data["services"] or {}
    if not services:
        report.add("empty_value", ("services",), "no service is offered", "add one service code")
    for code, svc in services.items():
        _fixed(svc.get("set"), ("services", code, "set"), report)
    for spec in specs:
        _check_against(spec, data, fields, attributes, report)
    if len(report.problems) > before:
        return None
    return Open311Config(
        services=tuple(_service(code, svc) for code, svc in services.items()),
        fields=fields,
        attributes=tuple(
            Open311Attribute(
                field=fid,
                required=bool(a.get("required", False)),
                order=int(a.get("order", n + 1)),
                description=a.get("description") or "",
            )
            for n, (fid, a) in enumerate(attributes.items())
        ),
        fixed=fixed,
        agency_responsible=data.get("agency_responsible"),
    )


def shared_codes(
    configs: Mapping[str, Open311Config | None], files: Mapping[str, str]
) -> list[Problem]:
    """A service code offered by two SOPs: one problem per later SOP's file (`files`: SOP id ->
    its open311.yaml as shown), since a client names a service by its code alone."""
    problems: list[Problem] = []
    owner: dict[str, str] = {}
    for sop_id, config in sorted(configs.items()):
        for svc in config.services if config is not None else ():
            first = owner.setdefault(svc.code, sop_id)
            if first != sop_id:
                report = Report(files[sop_id])
                report.add(
                    "duplicate_service_code",
                    ("services", svc.code),
                    f"service code {svc.code!r} is offered by SOP {first!r} already",
                    "give each service a code no other SOP's open311.yaml uses",
                )
                problems += report.problems
    return problems


def _service(code: str, svc: Mapping[str, Any]) -> Open311Service:
    return Open311Service(
        code=code,
        name=svc["name"],
        description=svc.get("description") or "",
        group=svc.get("group") or "",
        keywords=tuple(svc.get("keywords") or ()),
        type=svc.get("type") or "realtime",
        fixed=dict(svc.get("set") or {}),
    )


def _fixed(value: Any, path: Path, report: Report) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        report.add(
            "wrong_type",
            path,
            f"expected a mapping of field ids to values, got {describe(value)}",
            "write e.g. `set: {category: Jalan}`",
        )
        return {}
    return dict(value)


def _check_request_keys(fields: Mapping[str, str], report: Report) -> None:
    for key in fields:
        if key not in REQUEST_KEYS:
            report.add(
                "unknown_key",
                ("fields", key),
                f"{key!r} is not an Open311 request key this facade maps",
                did_you_mean(key, REQUEST_KEYS) or one_of(REQUEST_KEYS),
            )
    if ("lat" in fields) != ("long" in fields):
        have, lack = ("lat", "long") if "lat" in fields else ("long", "lat")
        report.add(
            "missing_key",
            ("fields", have),
            f"{have!r} is mapped but {lack!r} is not: Open311 gives a location as both",
            f"map {lack!r} too (to the same field, or to a field of its own)",
        )


def _check_sharing(fields: Mapping[str, str], report: Report) -> None:
    by_field: dict[str, list[str]] = {}
    for key, fid in fields.items():
        if key in REQUEST_KEYS:  # an unknown key is its own problem
            by_field.setdefault(fid, []).append(key)
    for fid, keys in by_field.items():
        if len(keys) > 1 and not any(set(keys) <= group for group in _SHARING):
            report.add(
                "shared_field",
                ("fields", keys[-1]),
                f"{', '.join(keys)} all map to field {fid!r}: they could not be told apart",
                "only address_string, lat and long (as 'address (lat, long)') or first_name "
                "and last_name (as 'first last') may share a field; give the others their own",
            )


def _check_against(
    spec: Spec,
    data: Mapping[str, Any],
    fields: Mapping[str, str],
    attributes: Mapping[str, Any],
    report: Report,
) -> None:
    """Each field, type and choice the settings name, in one revision (`spec`)."""
    known = {f.id: f for f in spec.fields}
    where = f"revision {spec.revision} of {spec.sop_id}"

    def exists(fid: Any, path: Path) -> bool:
        if fid in known:
            return True
        report.add(
            "unknown_field",
            path,
            f"no field {fid!r} in {where}",
            did_you_mean(fid, known) or f"name a field of {where}; {one_of(known)}",
        )
        return False

    for key, fid in fields.items():
        path = ("fields", key)
        if not exists(fid, path):
            continue
        shared = sum(1 for other in fields.values() if other == fid) > 1
        allowed = _TEXTS if shared else REQUEST_KEYS.get(key, ())
        if allowed and known[fid].type not in allowed:
            report.add(
                "wrong_type",
                path,
                f"field {fid!r} is of type {known[fid].type} in {where}; "
                f"{key!r} needs one of: {', '.join(allowed)}",
                "map it to a field of one of those types",
            )
    for fid in attributes:
        path = ("attributes", fid)
        if not exists(fid, path):
            continue
        if known[fid].type == "file":
            report.add(
                "wrong_type",
                path,
                f"field {fid!r} is a file field in {where}: Open311 sends no files",
                "map a `url` field to media_url instead",
            )
        if fid in fields.values():
            report.add(
                "conflicting_keys",
                path,
                f"field {fid!r} is filled from `fields` already",
                "offer it as an attribute or map it from a request key, not both",
            )
    _check_values(data.get("set"), ("set",), known, where, report)
    for code, svc in (data.get("services") or {}).items():
        _check_values(svc.get("set"), ("services", code, "set"), known, where, report)
    scope = data.get("agency_responsible")
    if scope is not None and exists(scope, ("agency_responsible",)):
        scope_fields = {a.scope_field for a in spec.actors if a.scope_field}
        if scope not in scope_fields:
            report.add(
                "not_a_scope_field",
                ("agency_responsible",),
                f"field {scope!r} scopes no actor in {where}",
                one_of(scope_fields) if scope_fields else "give an actor a `scope_field` first",
            )


def _check_values(
    values: Any, path: Path, known: Mapping[str, Any], where: str, report: Report
) -> None:
    if not isinstance(values, dict):
        return
    for fid, value in values.items():
        here = (*path, fid)
        if fid not in known:
            report.add(
                "unknown_field",
                here,
                f"no field {fid!r} in {where}",
                did_you_mean(fid, known) or one_of(known),
            )
            continue
        fdef = known[fid]
        if fdef.type == "choice" and value not in fdef.choices:
            report.add(
                "unknown_choice",
                here,
                f"{value!r} is not a choice of field {fid!r} in {where}",
                did_you_mean(value, fdef.choices) or one_of(fdef.choices),
            )
        elif fdef.type in ("file",) or not _fits(fdef.type, value):
            report.add(
                "wrong_type",
                here,
                f"field {fid!r} ({fdef.type}) cannot hold {describe(value)} in {where}",
                "give a value of the field's type, in quotes for text",
            )


def _fits(kind: str, value: Any) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, str) and bool(value.strip())
