"""Other systems' ids for a ticket: given at opening or later, looked up, never a duplicate."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.api.conftest import As
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL

SOP = "surabaya-complaints"


def _open(desk: Journey, *refs: tuple[str, str], expect: int = 201):
    body = {"sop": SOP, "fields": OTHER_CHANNEL, "refs": [{"source": s, "id": i} for s, i in refs]}
    return desk.call("POST", "/v1/tickets", body, expect=expect)


def test_an_integration_retrying_with_its_reference_gets_the_same_ticket(desk: Journey) -> None:
    first = _open(desk, ("city-app", "WARGA-77"))
    assert first.body["refs"] == [{"source": "city-app", "id": "WARGA-77"}]
    assert "Existing-Ticket" not in first.headers
    desk.post(first.body["id"], "accept", "staff")  # the ticket moves on meanwhile
    again = _open(desk, ("city-app", "WARGA-77"), expect=200)
    assert again.headers["Existing-Ticket"] == "true"
    assert again.body["id"] == first.body["id"] and again.body["version"] == 2
    assert again.headers["Location"] == f"/v1/tickets/{first.body['id']}"
    assert len(desk.call("GET", "/v1/tickets").body["items"]) == 1
    # The same id from another source is another complaint.
    assert _open(desk, ("lapor", "WARGA-77")).body["id"] != first.body["id"]


def test_a_ticket_is_found_by_each_of_its_references(desk: Journey) -> None:
    ticket = _open(desk, ("city-app", "A-1")).body
    added = desk.call(
        "POST",
        f"/v1/tickets/{ticket['id']}/refs",
        {"source": "lapor", "id": "SBY/2026/9"},
        expect=201,
    )
    assert added.status == 201 and added.body["version"] == ticket["version"]
    assert added.body["refs"] == [
        {"source": "city-app", "id": "A-1"},
        {"source": "lapor", "id": "SBY/2026/9"},
    ]
    retry = desk.call(
        "POST", f"/v1/tickets/{ticket['id']}/refs", {"source": "lapor", "id": "SBY/2026/9"}
    )
    assert retry.status == 200
    for path in ("/v1/refs/city-app/A-1", "/v1/refs/lapor/SBY/2026/9"):
        assert desk.call("GET", path).body["id"] == ticket["id"]
    assert desk.ticket(ticket["id"])["refs"] == added.body["refs"]
    assert len(desk.timeline(ticket["id"])) == 1  # a reference is not an event of the SOP
    missing = desk.call("GET", "/v1/refs/lapor/none", expect=404)
    assert missing.body["code"] == "not_found"


def test_a_reference_another_ticket_holds_is_refused(desk: Journey) -> None:
    a = _open(desk, ("lapor", "1")).body
    b = _open(desk).body
    refused = desk.call(
        "POST", f"/v1/tickets/{b['id']}/refs", {"source": "lapor", "id": "1"}, expect=409
    )
    assert "another ticket" in refused.body["detail"]
    assert desk.ticket(b["id"])["refs"] == []
    both = desk.call(
        "POST",
        "/v1/tickets",
        {
            "sop": SOP,
            "fields": OTHER_CHANNEL,
            "refs": [{"source": "lapor", "id": "1"}, {"source": "x", "id": "2"}],
        },
        expect=200,
    )
    assert both.body["id"] == a["id"]


def test_a_malformed_reference_is_refused_saying_what_to_fix(desk: Journey) -> None:
    bad = _open(desk, ("la por", "1"), expect=422)
    assert "source" in bad.body["detail"] and "letters, digits" in bad.body["detail"]
    too_many = _open(desk, *[("s", str(i)) for i in range(11)], expect=422)
    assert too_many.body["code"] in {"invalid_request", "invalid_data"}
    assert desk.call("GET", "/v1/tickets").body["items"] == []
    empty = desk.call(
        "POST",
        "/v1/tickets",
        {"sop": SOP, "fields": OTHER_CHANNEL, "refs": [{"source": "lapor"}]},
        expect=422,
    )
    assert "refs" in str(empty.body["errors"])


def test_a_scoped_token_finds_no_ticket_outside_its_scope_by_reference(
    desk: Journey, as_: As, client: FlaskClient
) -> None:
    ticket = _open(desk, ("lapor", "DS-1")).body
    desk.to_authority_check(ticket["id"])  # its agency is DSDABM
    assert as_("dsdabm").call("GET", "/v1/refs/lapor/DS-1").body["id"] == ticket["id"]
    assert as_("dinkes").call("GET", "/v1/refs/lapor/DS-1", expect=404).status == 404
    refused = as_("dinkes").call(
        "POST", f"/v1/tickets/{ticket['id']}/refs", {"source": "a", "id": "b"}, expect=404
    )
    assert refused.status == 404
    assert (
        as_("audit")
        .call("POST", f"/v1/tickets/{ticket['id']}/refs", {"source": "a", "id": "b"}, expect=403)
        .status
        == 403
    )
