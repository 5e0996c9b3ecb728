"""POST /v1/tickets/{id}/files (multipart upload for a `file` field), GET of a stored file.

A separate upload, rather than multipart on the event itself: the event stays one JSON body
(its Idempotency-Key hash, If-Match and the log entry are as for any other event), a file is
stored before any entry names it (the log never points at a file not written), and a retried
or re-sent upload costs nothing (files are kept by content). The event's data then names the
references this answers; `engine.app.files` checks they are stored, with that type and size.
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from api.auth import current, require_write
from api.errors import Forbidden
from api.schemas.files import FileUploadQuerySchema, FileUploadResultSchema, FileUploadSchema
from api.views.access import visible_ticket
from api.views.common import dump, load_query, runtime
from api.views.operation import MULTIPART, operation
from engine.app.files import Upload, file_field
from engine.errors import FileRefused
from engine.spec.model import FILE_KINDS

bp = Blueprint("files", __name__)

_FORM_SLACK = 2**20  # the form's own bytes (boundaries, headers) beyond its files


@bp.post("/tickets/<ticket_id>/files")
@operation(
    "files",
    body=FileUploadSchema,
    body_media=MULTIPART,
    query=FileUploadQuerySchema,
    response=FileUploadResultSchema,
    status=201,
    errors=(404, 422),
    refusals=(
        (
            422,
            "file_refused",
            "no file, more files than the field holds (`max_files`), a file larger than its "
            "`max_size_mb`, or content none of the field's `accept` kinds (decided by the "
            "bytes, not the name), an image of more than 64 megapixels; `errors` names the "
            "field and `limit` the limit",
        ),
        (422, "invalid_data", "`field` is not a `file` field of the ticket's SOP"),
    ),
)
def upload(ticket_id: str) -> Response:
    """Upload files for a ticket's file field.

    Multipart/form-data with one `file` part per file. Every file is checked before any is
    stored; images lose their EXIF (GPS included) unless the field says `keep_exif: true`.
    Answers the references to give as the field's value in an event's `data`.
    """
    require_write()
    field_id = load_query(FileUploadQuerySchema)["field"]
    record = visible_ticket(ticket_id)
    rt = runtime()
    fdef = file_field(record.spec, field_id)
    # The whole body: the field's files at their largest, and the form around them.
    request.max_content_length = fdef.max_files * fdef.max_bytes + _FORM_SLACK
    try:
        parts = request.files.getlist("file") if request.mimetype == MULTIPART else []
    except RequestEntityTooLarge:
        raise FileRefused(
            f"{fdef.label}: the upload is larger than {fdef.max_files} file(s) of at most "
            f"{fdef.max_size_mb} MB",
            errors={field_id: [f"at most {fdef.max_size_mb} MB per file"]},
            limit={"max_size_mb": fdef.max_size_mb},
        ) from None
    try:  # at most one byte past the limit is read: enough to refuse it
        uploads = [Upload(p.filename or "", p.read(fdef.max_bytes + 1)) for p in parts]
    finally:
        for part in parts:
            part.close()  # a large part is spooled to a temporary file
    refs = rt.files.accept(record.spec, field_id, uploads)
    return dump(FileUploadResultSchema, {"field": field_id, "files": refs}, status=201)


@bp.get("/tickets/<ticket_id>/files/<sha256>")
@operation(
    "files",
    media_type=("application/octet-stream", *FILE_KINDS.values()),
    errors=(404,),
)
def download(ticket_id: str, sha256: str) -> Response:
    """A file the ticket holds.

    By its SHA-256, for a reader who may see the ticket; a file of a personal field only for
    a reader who sees personal data (an auditor gets 403, as personal fields are masked).
    """
    record = visible_ticket(ticket_id)
    rt = runtime()
    entries = rt.service.timeline(ticket_id)
    fdef, ref, content = rt.files.find(record.spec, entries, record.ticket.fields, sha256)
    if fdef.personal and not current().sees_personal_data:
        raise Forbidden(
            f"{fdef.label} is personal data; this token does not see personal data",
            errors={"sha256": ["a personal field's file"]},
        )
    resp = Response(content, mimetype=str(ref["type"]))
    resp.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    resp.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    resp.headers["ETag"] = f'"{sha256}"'
    return resp
