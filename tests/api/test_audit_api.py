"""GET /v1/audit/verify and /v1/audit/export: what an auditor reads over HTTP."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sqlalchemy import text

from tests.api.conftest import TOKENS, As

XES = "{http://www.xes-standard.org/}"


def _walked(as_: As) -> str:
    desk = as_("root")
    ticket = desk.create()
    desk.to_authority_check(ticket["id"])
    return ticket["id"]


def test_auditor_exports_the_log_as_xes_with_one_trace_per_ticket_and_steps_as_activities(
    as_, client
):
    ticket_id = _walked(as_)
    reply = client.get(
        "/v1/audit/export?format=xes",
        headers={"Authorization": f"Bearer {TOKENS['audit'][0]}"},
    )
    assert reply.status_code == 200 and reply.mimetype == "application/xml"
    body = reply.get_data(as_text=True)
    root = ET.fromstring(body)
    traces = root.findall("trace") or root.findall(f"{XES}trace")
    assert len(traces) == 1
    names = [
        a.get("value")
        for ev in (traces[0].findall("event") or traces[0].findall(f"{XES}event"))
        for a in ev
        if a.get("key") == "concept:name"
    ]
    assert names == [
        "1. receive_inquiry",
        "2. monitor_channels",
        "3. enter_into_app",
        "4. respond_to_reporter",
    ]
    assert ticket_id in body


def test_a_clean_store_verifies_and_an_edited_row_is_reported(as_, app):
    ticket_id = _walked(as_)
    ok = as_("audit").call("GET", "/v1/audit/verify").body
    assert (ok["ok"], ok["tickets"], ok["problems"]) == (True, 1, [])
    store = app.extensions["sop"].service.store
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE events SET actor = 'someone' WHERE seq = 2"))
    bad = as_("audit").call("GET", "/v1/audit/verify").body
    assert bad["ok"] is False and bad["tickets_with_problems"] == [ticket_id]
    assert [(p["position"], p["kind"]) for p in bad["problems"]][0] == (2, "changed")
    chain = as_("audit").call("GET", "/v1/audit/verify?chain_only=true").body
    assert chain["ok"] is False and [p["kind"] for p in chain["problems"]] == ["changed"]


def test_only_unscoped_auditor_and_admin_tokens_read_the_whole_log(as_):
    _walked(as_)
    for token in ("desk", "dsdabm", "bridge"):
        reply = as_(token).call("GET", "/v1/audit/export", expect=403)
        assert reply.body["code"] == "forbidden"
    as_("root").call("GET", "/v1/audit/verify")
    assert as_("audit").call("GET", "/v1/audit/export?format=pdf", expect=422).body["errors"]
    as_("audit").call("GET", "/v1/audit/export?sop=nope", expect=404)
