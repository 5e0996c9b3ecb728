"""The Open311 GeoReport v2 facade's meaning: services, requests and tickets, both ways.

    offered(catalog)                        every service of every SOP with an open311.yaml
    find(catalog, code)                     one service, or NotFound
    service_view / definition_view          GET services, GET services/{code}
    ticket_fields(found, spec, params)      a POST's parameters -> the new ticket's fields
    request_view(record, found, shown, now) a ticket as an Open311 service request
    list_requests(service, ...)             GET requests' filters over the SOPs' tickets

Everything SOP-specific comes from `sop/<sop-id>/integrations/open311.yaml`
(engine.spec.open311_config): the service codes, which field holds which request key, the
attributes, the scope field naming the agency. A request is `closed` when its ticket left the
SOP (reached its end: `Ticket.is_open`), `open` otherwise; `status_notes` is the ticket's public
status label; `expected_datetime` the due time of the step it is at. A refusal is an engine
error (InvalidData: the request's mistake, 400; NotFound: 404), the API renders it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from engine.app.service import TicketRecord, TicketService, ticket_scopes
from engine.core.model import Ticket
from engine.errors import InvalidData, NotFound
from engine.spec.catalog import Catalog
from engine.spec.model import FieldDef, Spec
from engine.spec.open311_config import (
    LOCATION_KEYS,
    NAME_KEYS,
    Open311Attribute,
    Open311Config,
    Open311Service,
)

__all__ = [
    "MAX_REQUESTS",
    "Found",
    "definition_view",
    "find",
    "in_request_words",
    "list_requests",
    "offered",
    "one_request",
    "parse_time",
    "request_view",
    "service_view",
    "ticket_fields",
]

MAX_REQUESTS = 1000  # the most GET requests answers (the specification's figure)
DEFAULT_WINDOW = timedelta(days=90)  # GET requests without dates: the last 90 days
_PAGE = 500  # tickets read per store query while listing
_SCAN = 10 * MAX_REQUESTS  # the most tickets of one SOP read for one GET requests
# Open311 datatypes by SOP field type; the others are `string`.
_DATATYPES = {"text": "text", "number": "number", "choice": "singlevaluelist"}
_NUMBER = r"-?\d+(?:\.\d+)?"
_WITH_POINT = re.compile(rf"^(?P<address>.*\S)\s+\((?P<lat>{_NUMBER}), (?P<long>{_NUMBER})\)$")
_POINT = re.compile(rf"^(?P<lat>{_NUMBER}), (?P<long>{_NUMBER})$")


@dataclass(frozen=True)
class Found:
    """One offered service: the SOP it opens tickets of, its settings and itself."""

    sop_id: str
    config: Open311Config
    service: Open311Service


def offered(catalog: Catalog) -> list[Found]:
    return [
        Found(sop_id, config, svc)
        for sop_id in catalog.sop_ids()
        if (config := catalog.integrations_of(sop_id).open311) is not None
        for svc in config.services
    ]


def find(catalog: Catalog, code: str) -> Found:
    services = offered(catalog)
    for found in services:
        if found.service.code == code:
            return found
    known = ", ".join(f.service.code for f in services) or "none"
    raise NotFound(f"no service {code!r}; the services are: {known} (GET services)")


def service_view(found: Found, spec: Spec) -> dict[str, Any]:
    svc = found.service
    return {
        "service_code": svc.code,
        "service_name": svc.name,
        "description": svc.description,
        "metadata": bool(_attributes(found, spec)),
        "type": svc.type,
        "keywords": ", ".join(svc.keywords),
        "group": svc.group,
    }


def _attributes(found: Found, spec: Spec) -> list[tuple[Open311Attribute, FieldDef]]:
    return [(a, spec.field_def(a.field)) for a in found.config.attributes_of(found.service)]


def definition_view(found: Found, spec: Spec) -> dict[str, Any]:
    """The service's attributes: each an SOP field, its datatype and values from the field."""
    attrs = []
    for attr, fdef in sorted(_attributes(found, spec), key=lambda af: af[0].order):
        values = list(fdef.choices) if fdef.type == "choice" else []
        if fdef.type == "boolean":
            values = ["true", "false"]
        attrs.append(
            {
                "variable": True,
                "code": fdef.id,
                "datatype": "singlevaluelist" if values else _DATATYPES.get(fdef.type, "string"),
                "required": attr.required,
                "datatype_description": _datatype_description(fdef),
                "order": attr.order,
                "description": attr.description or fdef.label,
                "values": [{"key": v, "name": v} for v in values],
            }
        )
    return {"service_code": found.service.code, "attributes": attrs}


def _datatype_description(fdef: FieldDef) -> str | None:
    hints = {
        "date": "a date, YYYY-MM-DD",
        "url": "a web address, http:// or https://",
        "email": "an e-mail address",
        "phone": "a telephone number",
    }
    return hints.get(fdef.type) or fdef.description or None


# -- POST requests -------------------------------------------------------------------------------


def ticket_fields(found: Found, spec: Spec, params: Mapping[str, str]) -> dict[str, Any]:
    """The fields of the ticket a POST opens: its request keys, its attributes, the fixed
    values. InvalidData (one entry per parameter at fault) when the request cannot be taken;
    the types of the values are then checked by the engine as for any ticket."""
    config = found.config
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    given = {k: v.strip() for k, v in params.items() if isinstance(v, str) and v.strip()}
    point = _point(given, errors)
    mapped = config.fields
    if any(k in mapped for k in LOCATION_KEYS) and "address_string" not in given and not point:
        errors["lat"] = ["a location is required: lat and long, or address_string"]
    for key, fid in mapped.items():
        if key in LOCATION_KEYS or key in NAME_KEYS or key not in given:
            continue
        values[fid] = given[key]
    for fid, text in _shared_texts(config, given, point, spec).items():
        values[fid] = text
    for attr, fdef in _attributes(found, spec):
        raw = given.get(f"attribute[{fdef.id}]")
        if raw is None:
            if attr.required:
                errors[f"attribute[{fdef.id}]"] = [f"required: {attr.description or fdef.label}"]
            continue
        try:
            values[fdef.id] = _attribute_value(fdef, raw)
        except ValueError as exc:
            errors[f"attribute[{fdef.id}]"] = [str(exc)]
    offered_codes = {f"attribute[{a.field}]" for a in config.attributes_of(found.service)}
    for key in given:
        if key.startswith("attribute[") and key not in offered_codes:
            errors[key] = ["not an attribute of this service (GET its definition)"]
    if errors:
        first = next(iter(errors))
        raise InvalidData(f"{first}: {errors[first][0]}", errors=errors)
    return {**values, **config.fixed, **found.service.fixed}


def in_request_words(found: Found, exc: InvalidData) -> InvalidData:
    """A refusal of the new ticket's fields, keyed by what the client sent: `media_url`
    rather than the SOP's `attachment` (shared keys as `address_string/lat/long`)."""
    raw = exc.details.get("errors")
    if not isinstance(raw, Mapping):
        return exc
    keys: dict[str, list[str]] = {}
    for key, fid in found.config.fields.items():
        keys.setdefault(fid, []).append(key)
    for attr in found.config.attributes:
        keys.setdefault(attr.field, []).append(f"attribute[{attr.field}]")
    errors = {"/".join(keys.get(fid, [fid])): msgs for fid, msgs in raw.items()}
    first = next(iter(errors), "")
    said = errors.get(first)
    text = said[0] if isinstance(said, list | tuple) and said else said
    return InvalidData(f"{first}: {text}" if first else exc.message, errors=errors)


def _point(given: Mapping[str, str], errors: dict[str, list[str]]) -> tuple[float, float] | None:
    if "lat" not in given and "long" not in given:
        return None
    out = []
    for key, most in (("lat", 90.0), ("long", 180.0)):
        try:
            value = float(given.get(key, ""))
        except ValueError:
            errors[key] = [f"a number of degrees from -{most:g} to {most:g} (WGS84), e.g. -7.29"]
            continue
        if not (math.isfinite(value) and -most <= value <= most):
            errors[key] = [f"must be from -{most:g} to {most:g} degrees"]
            continue
        out.append(value)
    return (out[0], out[1]) if len(out) == 2 else None


def _shared_texts(
    config: Open311Config,
    given: Mapping[str, str],
    point: tuple[float, float] | None,
    spec: Spec,
) -> dict[str, Any]:
    """The location and name keys, written into the fields they map to: a shared location
    field as "address (lat, long)", a shared name field as "first last"."""
    out: dict[str, Any] = {}
    fields = config.fields
    if "address_string" in fields and "address_string" in given:
        out[fields["address_string"]] = given["address_string"]
    if point is not None and "lat" in fields:
        lat_field, long_field = fields["lat"], fields["long"]
        if lat_field == long_field:
            where = f"{point[0]}, {point[1]}"
            same = fields.get("address_string") == lat_field
            address = out.get(lat_field) if same else None
            out[lat_field] = f"{address} ({where})" if address else where
        else:
            for fid, number in ((lat_field, point[0]), (long_field, point[1])):
                out[fid] = number if spec.field_def(fid).type == "number" else str(number)
    for fid in {fields[k] for k in NAME_KEYS if k in fields}:
        parts = [given[k] for k in NAME_KEYS if fields.get(k) == fid and k in given]
        if parts:
            out[fid] = " ".join(parts)
    return out


def _attribute_value(fdef: FieldDef, raw: str) -> Any:
    if fdef.type == "choice" and raw not in fdef.choices:
        raise ValueError(f"{raw!r} is not one of: {', '.join(fdef.choices)}")
    if fdef.type == "boolean":
        if raw not in ("true", "false"):
            raise ValueError("true or false")
        return raw == "true"
    if fdef.type == "number":
        try:
            number = float(raw)
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
        return int(number) if number.is_integer() else number
    return raw


# -- tickets as service requests -----------------------------------------------------------------


def request_view(
    record: TicketRecord, found: Found, shown: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The ticket as a service request; `shown`: its fields as the reader may see them."""
    ticket, spec, config = record.ticket, record.spec, found.config
    status = spec.status(ticket.status).label if ticket.status in _status_ids(spec) else None
    place = _place(config, shown)
    agency = config.agency_responsible
    return {
        "service_request_id": ticket.id,
        "status": "open" if ticket.is_open else "closed",
        "status_notes": status or ticket.status,
        "service_name": found.service.name,
        "service_code": found.service.code,
        "description": _text(shown.get(config.fields.get("description", ""))),
        "agency_responsible": ticket_scopes(spec, ticket).get(agency) if agency else None,
        "service_notice": None,
        "requested_datetime": _utc(ticket.created),
        "updated_datetime": _utc(_updated(ticket)),
        "expected_datetime": _utc(ticket.active.due) if ticket.is_open and ticket.active else None,
        "address": place.get("address"),
        "address_id": None,
        "zipcode": None,
        "lat": place.get("lat"),
        "long": place.get("long"),
        "media_url": _text(shown.get(config.fields.get("media_url", ""))),
    }


def _number(value: Any) -> float | None:
    try:
        return None if value is None or isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        return None  # masked, or not a number


def _status_ids(spec: Spec) -> set[str]:
    return {s.id for s in spec.statuses}


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _utc(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _updated(ticket: Ticket) -> datetime:
    """The last time the ticket moved: its opening, a step begun or finished, its closing."""
    times = [ticket.created, ticket.closed]
    for run in (*ticket.history, ticket.active):
        if run is not None:
            times += [run.started, run.finished]
    return max(t for t in times if t is not None)


def _place(config: Open311Config, shown: Mapping[str, Any]) -> dict[str, Any]:
    """address, lat and long read back from the fields they were written into."""
    fields = config.fields
    out: dict[str, Any] = {}
    shared = fields.get("lat") if fields.get("lat") == fields.get("long") else None
    if shared is not None:
        text = _text(shown.get(shared)) or ""
        match = _WITH_POINT.match(text) or _POINT.match(text)
        if match:
            out["lat"], out["long"] = float(match["lat"]), float(match["long"])
            text = match.groupdict().get("address") or ""
        if fields.get("address_string") == shared:
            out["address"] = text or None
    else:
        for key in ("lat", "long"):
            out[key] = _number(shown.get(fields.get(key, "")))
    if "address" not in out and "address_string" in fields:
        out["address"] = _text(shown.get(fields["address_string"]))
    return out


# -- GET requests --------------------------------------------------------------------------------


def parse_time(value: str, name: str) -> datetime:
    """An Open311 date/time parameter: ISO 8601 with Z or an offset; InvalidData otherwise."""
    try:
        at = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        at = None
    if at is None or at.tzinfo is None:
        raise InvalidData(
            f"{name}: {value!r} is not a date and time with its offset",
            errors={
                name: [f"{value!r} is not ISO 8601 with Z or an offset, e.g. 2025-01-06T09:00:00Z"]
            },
        )
    return at


def service_of(catalog: Catalog, ticket: Ticket) -> Found | None:
    """The service a ticket is listed under: its SOP's first whose fixed values it holds."""
    config = catalog.integrations_of(ticket.sop_id).open311
    if config is None:
        return None
    for svc in config.services:
        if all(ticket.fields.get(k) == v for k, v in svc.fixed.items()):
            return Found(ticket.sop_id, config, svc)
    return None


def list_requests(
    service: TicketService,
    *,
    ids: Sequence[str] = (),
    codes: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: Sequence[str] = (),
    scope: Mapping[str, str] | None = None,
) -> list[tuple[TicketRecord, Found]]:
    """GET requests: by `ids` (then the other filters are not applied, as the specification
    says), else by service codes, a time window on `requested_datetime` (default: the last 90
    days; either end alone counts 90 days from it) and status (open, closed), newest first,
    at most MAX_REQUESTS. `scope` (field -> value): only tickets in it."""
    catalog = service.catalog
    if ids:
        return [hit for tid in ids if (hit := _by_id(service, tid, scope)) is not None]
    for status in statuses:
        if status not in ("open", "closed"):
            raise InvalidData(
                f"status: {status!r} is neither open nor closed",
                errors={"status": ["open, closed, or both separated by a comma"]},
            )
    wanted = [find(catalog, code) for code in codes] if codes else offered(catalog)
    end = end or (start + DEFAULT_WINDOW if start else service.clock.now())
    start = start or end - DEFAULT_WINDOW
    if end < start:
        raise InvalidData(
            "end_date is before start_date", errors={"end_date": ["on or after start_date"]}
        )
    open_ = None if len(set(statuses)) != 1 else statuses[0] == "open"
    out: list[tuple[TicketRecord, Found]] = []
    for sop_id in sorted({f.sop_id for f in wanted}):
        codes_here = {f.service.code for f in wanted if f.sop_id == sop_id}
        for record in _newest(service, sop_id, open_, scope, (start, end)):
            found = service_of(catalog, record.ticket)
            if found is not None and found.service.code in codes_here:
                out.append((record, found))
    out.sort(key=lambda hit: hit[0].ticket.created, reverse=True)
    return out[:MAX_REQUESTS]


def _newest(
    service: TicketService,
    sop_id: str,
    open_: bool | None,
    scope: Mapping[str, str] | None,
    window: tuple[datetime, datetime],
) -> Iterator[TicketRecord]:
    """The SOP's tickets received within `window`, newest first (at most _SCAN)."""
    cursor, seen = None, 0
    while seen < _SCAN:
        page = service.list_tickets(
            sop_id=sop_id,
            open=open_,
            scope=dict(scope) if scope else None,
            limit=_PAGE,
            cursor=cursor,
            created_from=window[0],
            created_to=window[1],
        )
        yield from page.items
        seen += len(page.items)
        if page.next_cursor is None:
            return
        cursor = str(page.next_cursor)


def _by_id(
    service: TicketService, ticket_id: str, scope: Mapping[str, str] | None
) -> tuple[TicketRecord, Found] | None:
    try:
        record = service.get_ticket(ticket_id)
    except NotFound:
        return None
    fields = record.ticket.fields
    if scope and any(str(fields.get(k, "")) != v for k, v in scope.items()):
        return None
    found = service_of(service.catalog, record.ticket)
    return None if found is None else (record, found)


def one_request(
    service: TicketService, ticket_id: str, scope: Mapping[str, str] | None
) -> tuple[TicketRecord, Found]:
    """GET requests/{id}: NotFound when no ticket, outside the scope, or of no service."""
    hit = _by_id(service, ticket_id, scope)
    if hit is None:
        raise NotFound(f"no service request {ticket_id!r}", ticket_id=ticket_id)
    return hit
