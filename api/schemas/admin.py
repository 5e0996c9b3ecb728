"""Administration: the result of reloading the SOP folder."""

from __future__ import annotations

from marshmallow import Schema
from marshmallow import fields as ma


class ReloadSchema(Schema):
    added = ma.List(ma.String(), metadata={"description": "sop@revision newly loaded"})
    replaced = ma.List(
        ma.String(), metadata={"description": "files changed before any ticket used them"}
    )
    kept = ma.List(
        ma.String(), metadata={"description": "loaded before, file gone: kept until a restart"}
    )
    unchanged = ma.List(ma.String())
    revisions = ma.List(ma.String(), metadata={"description": "every revision now loaded"})
