"""An Open311 client (Code for America's `open311` library, tests/support/open311_client.py)
against a real `sop serve`: it lists the services, reads a definition, reports a pothole with
a photo and a place, reads it back open; the staff drive the ticket to its end through /v1;
the client reads it closed, with the SOP's public status as its notes. In JSON and in XML."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.journey import WALK, Journey
from tests.e2e.conftest import Server
from tests.support import open311_client
from tests.support.seed import ROUTING

REPORT = {
    "service_code": "pengaduan",
    "lat": "-7.2905",
    "long": "112.7398",
    "address_string": "Jl. Raya Darmo 1, Surabaya",
    "description": "Jalan berlubang di depan sekolah, berbahaya bagi pengendara motor",
    "media_url": "https://warga.example/foto/lubang.jpg",
    "first_name": "Budi",
    "last_name": "Santoso",
    "phone": "+6281234567890",
    "attribute[category]": "Infrastruktur",
}
# After the report: what the operator records (the channel, since none of r1's channels is an
# Open311 client's: sop/surabaya-complaints/integrations/open311.yaml), then the seed's road
# from triage to the reply on the reporter's channel (r1.yaml, scenarios/routes.yaml).
TO_THE_END = (
    ("accept", "staff", {}),
    ("triage", "staff", {"channel": "whatsapp", "social_media": "+6281234567890"}),
    *WALK[2:],  # entered ... validated, as every HTTP test drives the seed
    ("confirmed", "reporter", {"reporter_response": "Terima kasih"}),
    ("close", "staff", {}),
    ("replied", "staff", {"reply_text": "Pengaduan selesai ditangani"}),
)


def _services(lib: Any, fmt: str) -> list[dict[str, Any]]:
    if fmt == "xml":
        return open311_client.as_list(lib.service_list())
    return lib.call_api("services.json")  # type: ignore[no-any-return]  # its bug: always .xml


def _one(lib: Any, fmt: str, request_id: str) -> dict[str, Any]:
    answer = lib.get_service_request(request_id)
    items = open311_client.listed(answer, "service_requests", "request")
    assert len(items) == 1
    return dict(items[0])


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_client_reports_and_follows_a_complaint_to_its_end(
    make_server: Any, fmt: str
) -> None:
    server: Server = make_server().start()
    lib = open311_client.client(f"{server.base}/open311/v2", fmt)

    services = _services(lib, fmt)
    assert [s["service_code"] for s in services] == ["pengaduan"]
    assert services[0]["service_name"] == "Pengaduan masyarakat"
    assert str(services[0]["metadata"]).lower() == "true"  # it has an attribute

    definition = lib.call_api(f"services/pengaduan.{fmt}")  # its bug: asks service/<code>
    if fmt == "xml":
        definition = definition["service_definition"]
        attributes = open311_client.listed(definition, "attributes", "attribute")
    else:
        attributes = definition["attributes"]
    assert definition["service_code"] == "pengaduan"
    assert [(a["code"], a["datatype"], str(a["required"]).lower()) for a in attributes] == [
        ("category", "string", "false")
    ]

    made = lib.post_service_request(**REPORT)
    created = open311_client.listed(made, "service_requests", "request")
    request_id = created[0]["service_request_id"]

    api: Journey = server.journey()
    ticket = api.ticket(request_id)  # the same id: the ticket /v1 knows
    assert ticket["fields"]["location"] == "Jl. Raya Darmo 1, Surabaya (-7.2905, 112.7398)"
    assert ticket["fields"]["reporter_name"] == "Budi Santoso"
    assert ticket["fields"]["attachment"] == REPORT["media_url"]
    assert ticket["fields"]["category"] == "Infrastruktur"

    seen = _one(lib, fmt, request_id)
    assert seen["status"] == "open"
    assert seen["status_notes"] == "Diterima"  # r1's initial public status
    assert seen["service_code"] == "pengaduan"
    assert seen["description"] == REPORT["description"]
    assert seen["media_url"] == REPORT["media_url"]
    assert seen["address"] == "Jl. Raya Darmo 1, Surabaya"
    assert (float(seen["lat"]), float(seen["long"])) == (-7.2905, 112.7398)
    assert seen["expected_datetime"] == ticket["step"]["due"].replace("+00:00", "Z")
    assert not seen.get("agency_responsible")  # no OPD before the routing

    for type_, actor, data in TO_THE_END:
        api.post(request_id, type_, actor, data)
    assert api.ticket(request_id)["open"] is False

    closed = _one(lib, fmt, request_id)
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Selesai"  # r1's `done` label, set at step 14
    assert closed["agency_responsible"] == ROUTING["agency"]
    assert not closed.get("expected_datetime")

    if fmt == "json":
        listed = lib.call_api("requests.json", status="closed")  # its bug: reads XML's root
    else:
        listed = lib.service_requests(status="closed")
        listed = open311_client.as_list(listed)
    ids = [r["service_request_id"] for r in listed]
    assert ids == [request_id]
