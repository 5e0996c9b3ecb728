"""Files uploaded for a ticket's `file` fields (engine.app.files)."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields as ma

from api.schemas.common import name_length

BINARY = {"type": "string", "format": "binary"}


class FileUploadQuerySchema(Schema):
    field = ma.String(
        required=True,
        validate=name_length(1),
        metadata={"description": "the ticket's `file` field the files are for"},
    )


class FileUploadSchema(Schema):
    """The multipart/form-data body: one `file` part per file."""

    file = ma.List(
        ma.Raw(metadata=BINARY),
        required=True,
        metadata={"description": "the files; their kind is read from their content"},
    )


class FileRefSchema(Schema):
    sha256 = ma.String(metadata={"description": "the content's SHA-256: the file's name"})
    name = ma.String(metadata={"description": "the name it was sent with (for people)"})
    type = ma.String(metadata={"description": "the media type read from the content"})
    size = ma.Integer(metadata={"description": "bytes stored (after EXIF was removed)"})


class FileUploadResultSchema(Schema):
    field = ma.String()
    files = ma.List(
        ma.Nested(FileRefSchema),
        metadata={
            "description": "give these as the field's value in an event's `data` (the list "
            "for a `multiple: true` field, else its one item)"
        },
    )
