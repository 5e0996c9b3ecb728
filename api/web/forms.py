"""The ticket page's forms: one per event the signed-in person may post now, built from the SOP.

    event_forms(spec, ticket, allowed, principal) -> [EventForm]   what the page shows
    read_values(form, request_form) -> (data, errors)              the typed values of a POST
    field_messages(exc, form) -> {field: [message]}                an engine refusal, per field
    files_html(ticket_id, value, label) -> Markup | None           file references as thumbnails

An event's form holds what it `requires` and `accepts` (by the SOP's labels, in that order),
each as the HTML control its type calls for: a textarea for long text, a number, a date, a
select of the choices, a checkbox for yes/no, a file picker (`multiple` when the field holds
several, `accept` from its kinds). A field is marked required when the event cannot be sent
without it (its `requires`, or a kelengkapan of the step it completes that is still empty);
the step's kelengkapan are listed. The actor is the person's own: chosen only when several of
theirs may post it. Every message a person reads about a refused value is in Indonesian, here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import url_for
from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from api.auth import Principal
from api.web.sop_words import event_words
from engine.core.fields import file_refs
from engine.core.model import Ticket
from engine.errors import FileRefused, MissingInputs, SopError
from engine.spec.labels import actor_label
from engine.spec.model import END, FILE_KINDS, FieldDef, Spec

# HTML input types for the SOP's field types (file, choice, boolean and text have controls of
# their own: see Control.kind).
_INPUT_TYPES = {
    "string": "text",
    "phone": "tel",
    "email": "email",
    "url": "url",
    "number": "number",
    "date": "date",
}
_KIND_NAMES = {kind: kind.upper() for kind in FILE_KINDS}  # "JPEG", "PDF"

# What a person reads beside a field the engine refused (its English detail stays in the log
# and the API's answer). Matched on the engine's own words, the first that fits.
REQUIRED = "Wajib diisi."
NUMBER = "Harus berupa angka."
DATE = "Harus berupa tanggal (tahun-bulan-hari)."
_VALUE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"must be a number"), NUMBER),
    (re.compile(r"must be true or false"), "Harus ya atau tidak."),
    (re.compile(r"must be a date"), DATE),
    (re.compile(r"must be one of"), "Pilih salah satu pilihan yang tersedia."),
    (re.compile(r"at most (\d+) characters"), "Terlalu panjang: paling banyak {0} karakter."),
    (re.compile(r"must be a phone number"), "Harus berupa nomor telepon (angka, boleh diawali +)."),
    (re.compile(r"must be an e-mail address"), "Harus berupa alamat e-mail."),
    (re.compile(r"must be a web address"), "Harus berupa alamat web (http:// atau https://)."),
    (re.compile(r"not accepted here"), "Isian ini tidak diterima oleh kejadian ini."),
)
_FILE_MESSAGES = {
    "accept": "Jenis berkas tidak diterima (dilihat dari isinya, bukan namanya); diterima: {0}.",
    "max_size_mb": "Berkas terlalu besar: paling besar {0} MB per berkas.",
    "max_files": "Terlalu banyak berkas: paling banyak {0}.",
    "max_pixels": "Gambar terlalu besar: paling banyak 64 megapiksel.",
}
NO_FILE = "Pilih berkas."
NOT_VALID = "Isian ini tidak sesuai."
STALE = "Tiket ini berubah selama Anda mengisi formulir"


@dataclass(frozen=True)
class Control:
    """One field of an event's form."""

    id: str
    label: str
    kind: str  # an <input type>, or "textarea", "select", "checkbox", "file"
    required: bool = False
    choices: tuple[str, ...] = ()
    multiple: bool = False
    accept: str = ""  # the file picker's media types
    accept_words: str = ""  # the same, as people read them ("JPEG, PNG")
    max_size_mb: int = 0
    maxlength: int | None = None
    kelengkapan: str = ""  # the step's words for it, when they differ from the label


@dataclass(frozen=True)
class EventForm:
    name: str
    label: str
    actors: tuple[tuple[str, str], ...]  # (id, label) of the person's actors that may post it
    controls: tuple[Control, ...]
    kelengkapan: tuple[str, ...] = ()  # the step's inputs, when the event completes it
    set_first: tuple[str, ...] = field(default=())  # labels of fields other events must set

    @property
    def has_files(self) -> bool:
        return any(c.kind == "file" for c in self.controls)


def _control(fdef: FieldDef, required: bool, kelengkapan: str) -> Control:
    kind = fdef.type
    common: dict[str, Any] = {
        "id": fdef.id,
        "label": fdef.label,
        "required": required,
        "kelengkapan": kelengkapan if kelengkapan != fdef.label else "",
    }
    if kind == "file":
        return Control(
            kind="file",
            multiple=fdef.multiple,
            accept=",".join(fdef.media_types),
            accept_words=", ".join(_KIND_NAMES.get(k, k) for k in fdef.accept),
            max_size_mb=fdef.max_size_mb,
            **common,
        )
    if kind == "choice":
        return Control(kind="select", choices=fdef.choices, **common)
    if kind == "boolean":
        return Control(kind="checkbox", **common)
    if kind == "text":
        return Control(kind="textarea", maxlength=fdef.longest, **common)
    return Control(kind=_INPUT_TYPES.get(kind, "text"), maxlength=fdef.longest, **common)


def event_forms(
    spec: Spec, ticket: Ticket, allowed: Sequence[Mapping[str, Any]], principal: Principal
) -> list[EventForm]:
    """A form for each of the ticket's allowed events (`ticket_view`'s `allowed_events`) that
    `principal` may post as one of its actors; none for a read-only reader."""
    if not principal.can_write or ticket.state == END or not ticket.is_open:
        return []
    step = spec.step(ticket.state)
    out = []
    for ev in allowed:
        actors = tuple((a, actor_label(spec, a)) for a in ev["by"] if principal.may_act_as(a))
        if not actors:
            continue
        missing = {m["id"]: m for m in ev["missing"]}
        keys = list(dict.fromkeys([*ev["requires"], *ev["accepts"]]))
        controls = []
        for key in keys:
            try:
                fdef = spec.field_def(key)
            except KeyError:
                continue
            needed = key in ev["requires"] or bool(missing.get(key, {}).get("accepted"))
            controls.append(_control(fdef, needed, missing.get(key, {}).get("input") or ""))
        evdef = step.event(ev["name"])
        completes = evdef is not None and evdef.completes_step
        out.append(
            EventForm(
                name=ev["name"],
                label=event_words(spec, ev["name"], step.id)
                if ev["display_name"] == ev["name"]
                else ev["display_name"],
                actors=actors,
                controls=tuple(controls),
                kelengkapan=tuple(i.text for i in step.inputs) if completes else (),
                set_first=tuple(m["label"] for m in ev["missing"] if not m["accepted"]),
            )
        )
    return out


def read_values(
    form: EventForm, sent: MultiDict[str, str]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The event's data from a posted form (file fields aside): empty boxes left out, numbers
    and yes/no as their types; the values that cannot be read, with their message."""
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for control in form.controls:
        if control.kind == "file":
            continue
        if control.kind == "checkbox":
            if sent.get(control.id):
                data[control.id] = True
            continue
        text = sent.get(control.id, "").strip()
        if not text:
            continue
        if control.kind == "number":
            number = _number(text)
            if number is None:
                errors[control.id] = [NUMBER]
            else:
                data[control.id] = number
        elif control.kind == "date":
            try:
                data[control.id] = date.fromisoformat(text).isoformat()
            except ValueError:
                errors[control.id] = [DATE]
        else:
            data[control.id] = sent.get(control.id, "")
    return data, errors


def _number(text: str) -> int | float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if value.is_integer() and "." not in text and "," not in text else value


def field_messages(exc: SopError, form: EventForm) -> dict[str, list[str]]:
    """An engine refusal of the event, as Indonesian messages per field of the form; what no
    field of the form can fix is under "" (shown above the form)."""
    shown = {c.id for c in form.controls}
    out: dict[str, list[str]] = {}
    if isinstance(exc, MissingInputs):
        for key in exc.details.get("missing") or {}:
            out.setdefault(key if key in shown else "", []).append(
                REQUIRED if key in shown else f"{_label(form, key)} wajib sudah terisi."
            )
        return out
    if isinstance(exc, FileRefused):
        return {k: [file_message(exc)] for k in exc.details.get("errors") or {}}
    for key, detail in (exc.details.get("errors") or {}).items():
        text = " ".join(map(str, detail)) if isinstance(detail, list | tuple) else str(detail)
        out.setdefault(key if key in shown else "", []).append(_value_message(text))
    return out or {"": [NOT_VALID]}


def file_message(exc: FileRefused) -> str:
    """A refused upload in Indonesian: which limit it broke."""
    for name, value in (exc.details.get("limit") or {}).items():
        if name in _FILE_MESSAGES:
            shown = ", ".join(_KIND_NAMES.get(v, v) for v in value) if name == "accept" else value
            return _FILE_MESSAGES[name].format(shown)
    return NO_FILE if "no file" in exc.message else NOT_VALID


def _value_message(detail: str) -> str:
    for pattern, text in _VALUE_MESSAGES:
        found = pattern.search(detail)
        if found:
            return text.format(*found.groups())
    return NOT_VALID


def _label(form: EventForm, key: str) -> str:
    return next((c.label for c in form.controls if c.id == key), key)


def files_html(ticket_id: str, value: Any, label: str) -> Markup | None:
    """A file field's value as thumbnails that open the file (a PDF, or another document, as
    a link with its name and size); None when the value holds no file reference."""
    refs = file_refs(value)
    if not refs:
        return None
    parts = []
    for ref in refs:
        sha = str(ref["sha256"])
        href = escape(url_for("web.ticket_file", ticket_id=ticket_id, sha256=sha))
        name = escape(str(ref.get("name") or label))
        if str(ref.get("type", "")).startswith("image/"):
            thumb = escape(url_for("web.ticket_file", ticket_id=ticket_id, sha256=sha, thumb=1))
            parts.append(
                f'<a class="thumb file-thumb" href="{href}" target="_blank" rel="noopener">'
                f'<img src="{thumb}" alt="{escape(label)}: {name}" loading="lazy"></a>'
            )
        else:
            parts.append(
                f'<a class="file-link" href="{href}" target="_blank" rel="noopener">{name}</a> '
                f'<span class="muted">({_size(ref.get("size"))})</span>'
            )
    return Markup(" ".join(parts))  # noqa: S704 - every value is escaped


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return "-"
    if size < 1024:
        return f"{size} B"
    if size < 2**20:
        return f"{size / 1024:.0f} KB"
    return f"{size / 2**20:.1f} MB".replace(".", ",")
