"""A seed-SOP ticket driven over HTTP. Works on any `send` (the Flask test client in tests/api,
a real server process in tests/e2e), so both walk the same paths."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tests.support.seed import OTHER_CHANNEL, ROUTING

SOP = "surabaya-complaints"
# Row 5's decision "outside the city's authority": the body the complaint goes to (row 6).
NATIONAL = {"category": "Pendidikan", "topic": "Ijazah", "agency": "KEMENDIKBUD"}
FOLLOW_UP = {"follow_up_text": "Sudah ditambal", "follow_up_photo": "https://example.org/f.jpg"}
# The seed SOP's events from intake to closing, as (type, actor, data) for the HTTP drivers.
WALK = (
    ("accept", "staff", {}),
    ("triage", "staff", {}),
    ("entered", "staff", ROUTING),
    ("responded", "staff", {"response_text": "Kami proses"}),
    ("within_authority", "staff", {}),
    ("routed", "staff", {}),
    ("agency_responded", "agency", {"agency_response_text": "Ok"}),
    ("follow_up_submitted", "agency", FOLLOW_UP),
    ("substance_ok", "staff", {}),
    ("validated", "staff", {}),
)


@dataclass
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str]


Send = Callable[[str, str, Any, Mapping[str, str]], Reply]


class HttpError(AssertionError):
    pass


class Journey:
    def __init__(self, send: Send) -> None:
        self.send = send

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        expect: int | None = 200,
    ) -> Reply:
        reply = self.send(method, path, body, dict(headers or {}))
        if expect is not None and reply.status != expect:
            raise HttpError(f"{method} {path} -> {reply.status}, wanted {expect}: {reply.body}")
        return reply

    def create(self, fields: Mapping[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        body = {"sop": SOP, "fields": dict(OTHER_CHANNEL if fields is None else fields), **extra}
        return self.call("POST", "/v1/tickets", body, expect=201).body

    def post(
        self, ticket_id: str, type_: str, actor: str, data: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        body = {"type": type_, "actor": actor, "data": dict(data or {})}
        return self.call("POST", f"/v1/tickets/{ticket_id}/events", body).body["ticket"]

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        return self.call("GET", f"/v1/tickets/{ticket_id}").body

    def timeline(self, ticket_id: str) -> list[dict[str, Any]]:
        return self.call("GET", f"/v1/tickets/{ticket_id}/events").body["items"]

    def advance(self, amount: str) -> dict[str, Any]:
        return self.call("POST", "/v1/clock", {"advance": amount}).body

    def notifications(self, after: int = 0) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self.call("GET", f"/v1/notifications?after={after}&limit=500").body
            items += page["items"]
            if not page["items"]:
                return items
            after = page["next_cursor"]

    # -- the seed SOP's paths ------------------------------------------------------------------

    def to_authority_check(self, ticket_id: str) -> dict[str, Any]:
        """Steps 1-2-3-4: accepted, triaged (not WargaKu), entered, responded."""
        self.post(ticket_id, "accept", "staff")
        self.post(ticket_id, "triage", "staff")
        self.post(ticket_id, "entered", "staff", ROUTING)
        return self.post(ticket_id, "responded", "staff", {"response_text": "Kami proses"})

    def to_national_entry(self, ticket_id: str) -> dict[str, Any]:
        """... 5: outside the city's authority, to row 6 (enter into SP4N-LAPOR!)."""
        self.to_authority_check(ticket_id)
        return self.post(ticket_id, "outside_authority", "staff", NATIONAL)

    def to_follow_up(self, ticket_id: str) -> dict[str, Any]:
        """... 5-7-8: within authority, routed, the agency's first response."""
        self.to_authority_check(ticket_id)
        self.post(ticket_id, "within_authority", "staff")
        self.post(ticket_id, "routed", "staff")
        return self.post(ticket_id, "agency_responded", "agency", {"agency_response_text": "Ok"})

    def to_confirmation(self, ticket_id: str) -> dict[str, Any]:
        """... 9-10-11: followed up, checked, validated."""
        self.to_follow_up(ticket_id)
        self.post(ticket_id, "follow_up_submitted", "agency", FOLLOW_UP)
        self.post(ticket_id, "substance_ok", "staff")
        return self.post(ticket_id, "validated", "staff")
