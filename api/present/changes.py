"""A change of the feed (engine.app.changes) as a CloudEvents 1.0 event in its JSON format.

    cloud_event(change, record, who, masker) -> dict

The SDK checks the attributes (required ones present, `time` a timezone-aware datetime) and
writes the event; `type` is `dev.sop-engine.ticket.<event>`, `id` `<ticket>/<seq>` with the
source `/v1/tickets/<ticket>`, so (source, id) is unique and the same on every read.
"""

from __future__ import annotations

import json
from typing import Any

from cloudevents.core.formats.json import JSONFormat
from cloudevents.core.v1.event import CloudEvent
from flask import json as flask_json

from api.present.sops import status_ref
from api.present.tickets import Reader, entry_view
from engine.app.service import TicketRecord
from engine.core.masking import Masker

TYPE_PREFIX = "dev.sop-engine.ticket."
_FORMAT = JSONFormat()


def cloud_event(
    change: dict[str, Any], record: TicketRecord, who: Reader, masker: Masker
) -> dict[str, Any]:
    ticket_id, seq = change["ticket_id"], change["seq"]
    view = entry_view(record.spec, change, who, masker)
    data = {
        **{k: v for k, v in view.items() if k not in {"cursor", "recorded"}},
        "seq": seq,
        "status": status_ref(record.spec, change.get("to_status")),
    }
    event = CloudEvent(
        attributes={
            "specversion": "1.0",
            "id": f"{ticket_id}/{seq}",
            "source": f"/v1/tickets/{ticket_id}",
            "type": TYPE_PREFIX + str(change["event"]),
            "subject": ticket_id,
            "time": change["at"],
            "datacontenttype": "application/json",
            "sequence": str(change["cursor"]),
        },
        data=json.loads(flask_json.dumps(data)),  # dates as the API writes them
    )
    return json.loads(_FORMAT.write(event))  # type: ignore[no-any-return]
