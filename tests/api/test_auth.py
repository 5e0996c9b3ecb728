"""Bearer tokens: who may read, write, act as which actor, and see which tickets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from api.auth import TokenRegistry, TokensFileError, hash_token
from engine.cli import main
from tests.api.conftest import As, make_app
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL, ROUTING


def test_requests_without_a_known_token_get_401_problems(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        resp = client.get("/v1/sops", headers=headers)
        assert resp.status_code == 401
        assert resp.mimetype == "application/problem+json"
        assert resp.get_json()["code"] == "unauthorized"
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_auditor_reads_with_personal_fields_masked_and_cannot_write(as_: As, desk: Journey) -> None:
    ticket = desk.create()
    audit = as_("audit")
    seen = audit.ticket(ticket["id"])
    assert seen["fields"]["reporter_name"] == "***"
    assert seen["fields"]["reporter_phone"] == "***"
    assert seen["fields"]["complaint_text"] == "Jalan berlubang di depan sekolah"
    assert sorted(seen["masked"]) == ["reporter_name", "reporter_phone"]
    created = audit.timeline(ticket["id"])[0]
    assert created["data"]["reporter_name"] == "***"

    refused = audit.call(
        "POST",
        f"/v1/tickets/{ticket['id']}/events",
        {"type": "accept", "actor": "staff"},
        expect=403,
    )
    assert refused.body["code"] == "forbidden"
    audit.call("POST", "/v1/tickets", {"sop": "surabaya-complaints"}, expect=403)
    assert desk.ticket(ticket["id"])["version"] == 1  # nothing changed


def test_operator_sees_personal_fields(as_: As, desk: Journey) -> None:
    ticket = desk.create()
    seen = as_("desk").ticket(ticket["id"])
    assert seen["fields"]["reporter_name"] == "Budi Santoso"
    assert seen["masked"] == []


def test_a_token_acts_only_as_its_configured_actors(as_: As, desk: Journey) -> None:
    ticket = desk.create()
    operator = as_("desk")
    refused = operator.call(
        "POST",
        f"/v1/tickets/{ticket['id']}/events",
        {"type": "accept", "actor": "agency"},
        expect=403,
    )
    assert "actor" in refused.body["errors"]
    assert operator.post(ticket["id"], "accept", "staff")["step"]["number"] == 2


def test_scoped_agency_token_sees_and_acts_on_its_own_tickets_only(as_: As, desk: Journey) -> None:
    mine = desk.create()
    desk.to_authority_check(mine["id"])  # ROUTING gives agency DSDABM
    desk.post(mine["id"], "within_authority", "staff")
    desk.post(mine["id"], "routed", "staff")
    other = desk.create()
    desk.post(other["id"], "accept", "staff")
    desk.post(other["id"], "triage", "staff")
    desk.post(other["id"], "entered", "staff", {**ROUTING, "agency": "DINKES"})

    agency = as_("dsdabm")
    listed = agency.call("GET", "/v1/tickets").body["items"]
    assert [t["id"] for t in listed] == [mine["id"]]
    assert listed[0]["fields"]["reporter_name"] == "***"  # agencies get no personal data

    missing = agency.call("GET", "/v1/tickets/NOPE", expect=404).body
    hidden = agency.call("GET", f"/v1/tickets/{other['id']}", expect=404).body
    assert hidden["code"] == missing["code"] == "not_found"
    agency.call("GET", f"/v1/tickets/{other['id']}/events", expect=404)
    agency.call(
        "POST",
        f"/v1/tickets/{other['id']}/events",
        {"type": "agency_responded", "actor": "agency"},
        expect=404,
    )
    agency.call("GET", "/v1/tickets?scope=agency:DINKES", expect=403)

    moved = agency.post(mine["id"], "agency_responded", "agency", {"agency_response_text": "Ok"})
    assert moved["step"]["number"] == 9
    notes = agency.notifications()
    assert notes and {n["to"] for n in notes} == {"agency"}
    assert {n["ticket_id"] for n in notes} == {mine["id"]}
    assert as_("dinkes").notifications() == []


def test_scoped_token_opens_tickets_inside_its_scope_only(as_: As) -> None:
    agency = as_("dsdabm")
    made = agency.create()
    assert made["fields"]["agency"] == "DSDABM"  # filled in from the token's scope
    refused = agency.call(
        "POST",
        "/v1/tickets",
        {"sop": "surabaya-complaints", "fields": {"agency": "DINKES"}},
        expect=403,
    )
    assert "fields.agency" in refused.body["errors"]


def test_tokens_file_is_read_and_bad_entries_are_named(tmp_path: Path) -> None:
    good = tmp_path / "tokens.yaml"
    good.write_text(
        "tokens:\n"
        f"  - {{name: a, sha256: {hash_token('s3cret')}, roles: [operator], actors: [staff]}}\n"
    )
    registry = TokenRegistry.from_file(good)
    found = registry.lookup("s3cret")
    assert found is not None and found.name == "a" and found.can_write
    assert registry.lookup("other") is None

    bad = tmp_path / "bad.yaml"
    bad.write_text("tokens:\n  - {name: b, sha256: abc, roles: [wizard]}\n")
    with pytest.raises(TokensFileError) as err:
        TokenRegistry.from_file(bad)
    text = str(err.value)
    assert "bad.yaml" in text and "tokens.0.sha256" in text and "tokens.0.roles.0" in text

    with pytest.raises(TokensFileError, match="cannot read"):
        TokenRegistry.from_file(tmp_path / "absent.yaml")


def test_server_without_tokens_refuses_to_start(tmp_path: Path) -> None:
    from api.config import ConfigError

    with pytest.raises(ConfigError, match="--dev"):
        make_app(tmp_path, SOP_TOKENS=None)


def test_sop_token_commands_make_entries_the_server_accepts(tmp_path: Path) -> None:
    runner = CliRunner()
    hashed = runner.invoke(main, ["token", "hash", "s3cret"])
    assert hashed.exit_code == 0 and hashed.output.strip() == hash_token("s3cret")
    made = runner.invoke(
        main,
        ["token", "new", "dpu", "--role", "agency", "--actor", "agency", "--scope", "agency=DPU"],
    )
    assert made.exit_code == 0, made.output
    (tmp_path / "t.yaml").write_text(
        "tokens:\n" + "".join("  " + line + "\n" for line in made.stdout.splitlines())
    )
    registry = TokenRegistry.from_file(tmp_path / "t.yaml")
    principal = registry.principals[0]
    assert principal.scope is not None and principal.scope.value == "DPU"
    secret = made.stderr.split(":", 1)[1].strip()
    assert registry.lookup(secret) == principal


def test_notification_texts_hide_personal_values_from_readers_without_access(
    as_: As, desk: Journey
) -> None:
    fields = {**OTHER_CHANNEL, "complaint_text": "Budi Santoso: jalan berlubang"}
    ticket = desk.create(fields)
    desk.to_authority_check(ticket["id"])
    desk.post(ticket["id"], "within_authority", "staff")
    desk.post(ticket["id"], "routed", "staff")  # its notification quotes the complaint text

    def routed(reader: str) -> str:
        texts = [n["text"] for n in as_(reader).notifications() if "jalan berlubang" in n["text"]]
        assert len(texts) == 1
        return texts[0]

    assert "Budi Santoso" not in routed("audit")
    assert "***: jalan berlubang" in routed("audit")
    # The agency was told without the name (the rule does not include personal data), so that
    # is what the outbox holds, for an admin too.
    assert routed("root") == routed("audit")
