"""Posting an event from the ticket page's form, and the ticket's files for the page.

    POST /web/tickets/<id>/events              one event's form (multipart): its files are
                                               stored, then the event is posted as the person
    GET  /web/tickets/<id>/files/<sha256>      a file the ticket holds; `?thumb=1` a thumbnail

The CSRF token is checked for every POST to the pages (api.web.auth). The form carries the
ticket's version: a form filled in on a version that is no longer the ticket's is refused (409)
with the ticket as it is now, and the values typed kept. A refused value answers 422 with the
ticket page, the message beside its field, and nothing posted: files uploaded with a refused
form stay stored by content (as an upload through the API not followed by its event) but no
entry names them, so no page shows them.
"""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from api.auth import current, require_write
from api.errors import Forbidden
from api.present.tickets import allowed_view
from api.views.access import check_scope_kept, visible_ticket
from api.views.common import runtime
from api.views.files import download
from api.web import bp
from api.web.forms import STALE, EventForm, event_forms, field_messages, file_message, read_values
from api.web.pages_tickets import ticket_page
from api.workers import wake_notifier
from engine.app.files import Upload
from engine.app.service import TicketRecord
from engine.errors import (
    EventNotAllowed,
    FileRefused,
    InvalidData,
    MissingInputs,
    NotFound,
    SopError,
    VersionMismatch,
)
from engine.spec.model import Spec

_FORM_SLACK = 2**20  # the form's own bytes (its text fields, boundaries) beyond its files


@bp.before_app_request
def _form_size() -> None:
    """A form's body may hold the SOP's files at their largest: the app's 1 MiB body limit is
    raised for this one page, to what the ticket's SOP allows (before anything reads it)."""
    if request.endpoint != "web.post_event_form" or request.view_args is None:
        return
    try:
        spec = runtime().service.get_ticket(str(request.view_args["ticket_id"])).spec
    except NotFound:
        return
    room = sum(f.max_files * f.max_bytes for f in spec.fields if f.type == "file")
    request.max_content_length = room + _FORM_SLACK


@bp.post("/web/tickets/<ticket_id>/events")
def post_event_form(ticket_id: str) -> BaseResponse | tuple[str, int]:
    principal = require_write()
    rt = runtime()
    record = visible_ticket(ticket_id)
    sent = request.form
    name = sent.get("event", "")
    values = {k: v for k, v in sent.items() if k not in ("csrf", "version")}
    version = sent.get("version", "")
    if not version.isdigit() or int(version) != record.ticket.version:
        return _stale(ticket_id, name, values)
    form = _form(record, name)
    if form is None:
        raise Forbidden(f"{principal.name!r} may not post {name!r} on this ticket now")
    actor = sent.get("actor") or form.actors[0][0]
    if actor not in {a for a, _ in form.actors}:
        raise Forbidden(f"{principal.name!r} may not post {name!r} as {actor!r}")
    data, errors = read_values(form, sent)
    check_scope_kept(principal, data, "data")
    if not errors:
        errors = _files(record.spec, form, data)
    if errors:
        return _refused(ticket_id, name, values, errors)
    try:
        rt.service.post_event(
            ticket_id, name, actor, data, user=principal.name, if_match=int(version)
        )
    except (VersionMismatch, EventNotAllowed):
        return _stale(ticket_id, name, values)
    except (MissingInputs, InvalidData) as exc:
        return _refused(ticket_id, name, values, field_messages(exc, form))
    wake_notifier()
    return redirect(url_for("web.ticket", ticket_id=ticket_id, sent=name), 303)


def _form(record: TicketRecord, name: str) -> EventForm | None:
    """The form of `name` for this person on the ticket as read (its version checked)."""
    forms = event_forms(record.spec, record.ticket, allowed_view(record), current())
    return next((f for f in forms if f.name == name), None)


def _files(spec: Spec, form: EventForm, data: dict[str, Any]) -> dict[str, list[str]]:
    """Store the form's files (each field's, checked as an API upload is) into `data`; the
    messages of the fields whose files are refused."""
    rt, errors = runtime(), {}
    for control in form.controls:
        if control.kind != "file":
            continue
        parts = [p for p in request.files.getlist(control.id) if p.filename]
        if not parts:
            continue
        try:
            uploads = [
                Upload(p.filename or "", p.read(control.max_size_mb * 2**20 + 1)) for p in parts
            ]
        finally:
            for part in parts:
                part.close()
        try:
            refs = rt.files.accept(spec, control.id, uploads)
        except FileRefused as exc:
            errors[control.id] = [file_message(exc)]
            continue
        data[control.id] = refs if control.multiple else refs[0]
    return errors


def _refused(
    ticket_id: str, name: str, values: dict[str, str], errors: dict[str, list[str]]
) -> tuple[str, int]:
    page = ticket_page(ticket_id, failed=name, values=values, errors=errors)
    return page, 422


def _stale(ticket_id: str, name: str, values: dict[str, str]) -> tuple[str, int]:
    page = ticket_page(ticket_id, failed=name, values=values, errors={}, stale=STALE)
    return page, 409


@bp.get("/web/tickets/<ticket_id>/files/<sha256>")
def ticket_file(ticket_id: str, sha256: str) -> Response:
    """The API's download (the same reader checks: a personal field's file is refused to a
    reader who does not see personal data), or its thumbnail."""
    whole = download(ticket_id, sha256)
    if not request.args.get("thumb"):
        return whole
    try:
        content, media = runtime().files.thumbnail(sha256, whole.get_data())
    except SopError:
        return whole  # not an image: the page links such a file by its name instead
    resp = Response(content, mimetype=media)
    resp.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    resp.headers["ETag"] = f'"{sha256}-thumb"'
    return resp
