"""GET /v1/sops/{sop}/revisions/{rev}: the revision's own records, as their schemas show them."""

from __future__ import annotations

from tests.api.journey import SOP, Journey


def test_a_revision_shows_its_actors_fields_and_statuses_with_their_schema_keys_only(
    desk: Journey,
) -> None:
    body = desk.call("GET", f"/v1/sops/{SOP}/revisions/r1").body
    staff = next(a for a in body["actors"] if a["id"] == "staff")
    assert staff == {"id": "staff", "label": "Staff", "scope_field": None}  # no description
    name = next(f for f in body["fields"] if f["id"] == "reporter_name")
    assert name == {
        "id": "reporter_name",
        "label": "Nama Warga",
        "type": "string",
        "personal": True,
        "choices": [],
    }
    assert {"id": "received", "label": "Diterima"} in body["statuses"]
    assert body["initial_status"] == {"id": "received", "label": "Diterima"}
