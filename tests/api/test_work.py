"""GET /v1/work and /web/work ("Tugas saya", issue 13 item 2): the open tickets waiting on the
caller's SOP actors, in its scope, overdue first, then by due time; counts per step; filters by
step and status; search by ticket id, external reference or text; the landing after sign-in."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import As, csrf_of
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL, ROUTING


def ids(body: dict[str, Any]) -> list[str]:
    return [t["id"] for t in body["items"]]


def counts(body: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {c["step"]: (c["number"], c["open"], c["late"]) for c in body["counts"]}


def at_agency_wait(desk: Journey, agency: str, **extra: Any) -> str:
    """A ticket routed to `agency`, at step 8 (the staff's step, finished by the agency)."""
    ticket = desk.create(**extra)["id"]
    desk.post(ticket, "accept", "staff")
    desk.post(ticket, "triage", "staff")
    desk.post(ticket, "entered", "staff", {**ROUTING, "agency": agency})
    desk.post(ticket, "responded", "staff", {"response_text": "Kami proses"})
    desk.post(ticket, "within_authority", "staff")
    desk.post(ticket, "routed", "staff")
    return ticket


def test_overdue_first_then_by_due_time_with_the_counts_per_step(desk: Journey, as_: As) -> None:
    first = desk.create()["id"]  # Monday 09.00: step 1 is due Tuesday 09.00
    desk.advance("1 hours")
    second = desk.create()["id"]  # due Tuesday 10.00
    desk.advance("1 hours")
    third = desk.create()["id"]  # due Tuesday 11.00
    desk.advance("30 minutes")
    desk.post(first, "accept", "staff")  # at step 2 from 11.30: due Tuesday 11.30, after third
    staff = as_("desk")
    body = staff.call("GET", "/v1/work").body
    assert ids(body) == [second, third, first]
    assert not any(t["overdue"] for t in body["items"])
    assert counts(body) == {"receive_inquiry": (1, 2, 0), "monitor_channels": (2, 1, 0)}

    desk.advance("23 hours")  # Tuesday 10.30: second's limit passed (swept: no deadline left)
    body = staff.call("GET", "/v1/work").body
    assert ids(body) == [second, third, first]
    assert [t["overdue"] for t in body["items"]] == [True, False, False]
    assert counts(body)["receive_inquiry"] == (1, 2, 1)

    desk.advance("90 minutes")  # 12.00: all three late; the swept ones have no due time left
    body = staff.call("GET", "/v1/work").body
    assert sorted(ids(body)) == sorted([first, second, third])
    assert all(t["overdue"] for t in body["items"])
    later = desk.create()["id"]  # on time: after every late one
    assert ids(staff.call("GET", "/v1/work").body)[-1] == later


def test_a_scoped_officer_sees_only_its_agencys_tickets_waiting_on_it(
    desk: Journey, as_: As
) -> None:
    mine = at_agency_wait(desk, "DSDABM")
    theirs = at_agency_wait(desk, "DINKES")
    new = desk.create()["id"]  # step 1: the staff's alone

    assert ids(as_("dsdabm").call("GET", "/v1/work").body) == [mine]
    assert ids(as_("dinkes").call("GET", "/v1/work").body) == [theirs]
    # Step 8 is the staff's step too; step 1 is not the agency's.
    assert set(ids(as_("desk").call("GET", "/v1/work").body)) == {mine, theirs, new}

    desk.post(mine, "agency_responded", "agency", {"agency_response_text": "Ok"})
    # Step 9 (follow-up) waits on the agency only: staff may resume it, which is no finishing.
    assert mine not in ids(as_("desk").call("GET", "/v1/work").body)
    body = as_("dsdabm").call("GET", "/v1/work").body
    assert ids(body) == [mine]
    assert counts(body) == {"follow_up": (9, 1, 0)}


def test_who_acts_as_no_actor_has_no_work_and_any_actor_has_all(desk: Journey, as_: As) -> None:
    ticket = desk.create()["id"]
    assert as_("audit").call("GET", "/v1/work").body == {"items": [], "counts": []}
    assert ids(as_("root").call("GET", "/v1/work").body) == [ticket]


def test_step_and_status_filters_keep_the_counts_of_every_step(desk: Journey, as_: As) -> None:
    one = desk.create()["id"]
    two = desk.create()["id"]
    desk.post(two, "accept", "staff")
    staff = as_("desk")
    body = staff.call("GET", "/v1/work?step=monitor_channels").body
    assert ids(body) == [two]
    assert counts(body) == {"receive_inquiry": (1, 1, 0), "monitor_channels": (2, 1, 0)}
    assert set(ids(staff.call("GET", "/v1/work?status=received").body)) == {one, two}
    assert staff.call("GET", "/v1/work?status=done").body == {"items": [], "counts": []}


def test_search_by_id_external_reference_and_text(desk: Journey, as_: As) -> None:
    budi = at_agency_wait(desk, "DSDABM", external_ref="WK-2025-0042")
    other = at_agency_wait(
        desk, "DSDABM", external_ref="WK-2025-0043"
    )  # the same reporter, but the search below names the first ticket's own fields
    desk.post(other, "agency_responded", "agency", {"agency_response_text": "Ok"})
    staff, officer = as_("desk"), as_("dsdabm")

    assert ids(staff.call("GET", f"/v1/work?q={budi}").body) == [budi]
    assert ids(staff.call("GET", "/v1/work?q=WK-2025-0042").body) == [budi]
    assert staff.call("GET", "/v1/work?q=WK-2025").body["items"] == []  # a reference is exact
    # Another system's id for it (POST /v1/tickets/{id}/refs) finds it too.
    desk.call("POST", f"/v1/tickets/{budi}/refs", {"source": "lapor", "id": "L-77"}, expect=201)
    assert ids(staff.call("GET", "/v1/work?q=L-77").body) == [budi]
    # Text, in any letter case, in the fields' values: a personal one for the staff ...
    assert ids(staff.call("GET", "/v1/work?q=budi%20SANTOSO").body) == [budi]
    assert ids(staff.call("GET", "/v1/work?q=infrastruk").body) == [budi]
    # ... while the officer, who reads the name masked, cannot find a ticket by it.
    assert officer.call("GET", "/v1/work?q=Budi%20Santoso").body == {"items": [], "counts": []}
    assert set(ids(officer.call("GET", "/v1/work?q=instagram").body)) == {budi, other}
    assert ids(officer.call("GET", "/v1/work?q=WK-2025-0043").body) == [other]
    # The officer's view of the ticket is masked as anywhere else.
    (item,) = officer.call("GET", f"/v1/work?q={budi}").body["items"]
    assert item["fields"]["reporter_name"] == "***" and "reporter_name" in item["masked"]
    # LIKE's wildcards are plain characters.
    assert staff.call("GET", "/v1/work?q=%25").body["items"] == []
    assert staff.call("GET", "/v1/work?q=_").body["items"] == []
    assert OTHER_CHANNEL["reporter_name"] == "Budi Santoso"


def test_bad_parameters_say_what_to_fix(as_: As) -> None:
    staff = as_("desk")
    bad = staff.call("GET", "/v1/work?step=no_such_step", expect=422).body
    assert bad["code"] == "invalid_data" and "no_such_step" in bad["detail"]
    assert bad["errors"] == {"step": ["unknown step"]}
    bad = staff.call("GET", "/v1/work?status=nope", expect=422).body
    assert bad["errors"] == {"status": ["unknown status"]}
    bad = staff.call("GET", "/v1/work?limit=0&q=" + "x" * 201, expect=422).body
    assert {"limit", "q"} <= set(bad["errors"])
    staff.call("GET", "/v1/work?step=a&step=b", expect=422)


def test_the_page_lists_my_work_with_counts_as_filter_links(
    desk: Journey, as_: As, client: FlaskClient
) -> None:
    ticket = desk.create(external_ref="WK-7")["id"]
    desk.post(desk.create()["id"], "accept", "staff")
    auth = {"Authorization": "Bearer desk-secret"}
    html = client.get("/web/work", headers=auth).get_data(as_text=True)
    assert "<h1>Tugas saya</h1>" in html and ticket in html and "ref. WK-7" in html
    assert "sisa 1 hari" in html
    assert 'href="/web/work?state=receive_inquiry"' in html
    assert '<option value="receive_inquiry" >1. Menerima' in html
    assert '<option value="received" >Diterima</option>' in html
    filtered = client.get("/web/work?state=receive_inquiry", headers=auth).get_data(as_text=True)
    assert filtered.count('<tr class="" data-step="receive_inquiry">') == 1
    assert 'data-step="monitor_channels">' not in filtered.split('id="work"')[1]
    wrong = client.get("/web/work?state=no_such_step", headers=auth)
    assert wrong.status_code == 422 and "Isian tidak sesuai" in wrong.get_data(as_text=True)
    desk.advance("1 working day")
    desk.advance("2 hours")
    late = client.get("/web/work", headers=auth).get_data(as_text=True)
    assert "terlambat 2 jam" in late


def test_an_account_with_actors_lands_on_its_work_unless_it_asked_for_a_page(app: Flask) -> None:
    accounts = app.extensions["sop"].accounts
    accounts.add("siti", "Siti Aminah", "kata-sandi-siti-1", roles=["operator"], actors=["staff"])
    accounts.add("rina", "Rina", "kata-sandi-rina-1", roles=["auditor"], actors=[])

    def sign_in(login: str, password: str, target: str | None) -> str:
        client = app.test_client()
        form = client.get("/web/login" + (f"?next={target}" if target else ""))
        data = {"login": login, "password": password, "csrf": csrf_of(form.get_data(True))}
        if target:
            data["next"] = target
        resp = client.post("/web/login", data=data)
        assert resp.status_code == 303
        return resp.headers["Location"]

    assert sign_in("siti", "kata-sandi-siti-1", None) == "/web/work"
    assert sign_in("siti", "kata-sandi-siti-1", "/web/tickets") == "/web/tickets"
    assert sign_in("rina", "kata-sandi-rina-1", None) == "/web/"
