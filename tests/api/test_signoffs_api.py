"""A row's sign-offs over HTTP (practice-permit: paraf Kasi, then Kabid, then Kepala): the
ticket offers the current sign-off among its allowed events, by its words and performer, and
a client that posts what it is offered walks the chain; the timeline names each entry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import As, app_on
from tests.api.journey import Journey
from tests.support.seed import ROOT

SOP_FILE = ROOT / "tests" / "sops" / "sop" / "practice-permit" / "v1.yaml"
KASI = {
    "type": "kasi_initialled",
    "label": "Paraf Kepala Seksi Perizinan",
    "by": ["kasi"],
    "requires": [],
    "accepts": [],
    "targets": [],
    "needs": [],
    "missing": [],
    "ready": True,
    "signoff": "kasi",
}


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Journey]:
    files = {"sop/practice-permit/v1.yaml": SOP_FILE.read_text("utf-8")}
    with app_on(tmp_path, files) as app:
        yield As(app.test_client())("root")


def _open(desk: Journey) -> str:
    desk.call("POST", "/v1/clock", {"set": "2025-03-03T08:00:00+08:00"})  # a Monday, in force
    body = {"sop": "practice-permit", "fields": {"applicant_name": "Ni Luh Putu Ayu"}}
    return str(desk.call("POST", "/v1/tickets", body, expect=201).body["id"])


def _offered(ticket: dict[str, Any]) -> list[tuple[str, str, list[str], str | None]]:
    return [(e["type"], e["label"], e["by"], e["signoff"]) for e in ticket["allowed_events"]]


def test_the_current_sign_off_is_offered_whole(desk: Journey) -> None:
    tid = _open(desk)
    ticket = desk.post(tid, "drafted", "officer")
    assert ticket["allowed_events"] == [KASI]
    # the sign-off's own time limit is a deadline of its row
    step = ticket["step"]["number"]
    kasi = [d for d in ticket["deadlines"] if d["name"].endswith(".kasi")]
    assert kasi and all(d["step_number"] == step for d in kasi), ticket["deadlines"]


def test_a_client_walks_the_chain_by_posting_what_it_is_offered(desk: Journey) -> None:
    tid = _open(desk)
    ticket = desk.post(tid, "drafted", "officer")
    walked = []
    while ticket["allowed_events"][0]["signoff"] is not None:
        offered = ticket["allowed_events"][0]
        walked.append(_offered(ticket))
        ticket = desk.post(tid, offered["type"], offered["by"][0])
        assert ticket["state"] == "approve"
    assert walked == [
        [("kasi_initialled", "Paraf Kepala Seksi Perizinan", ["kasi"], "kasi")],
        [
            ("kabid_initialled", "Paraf Kepala Bidang Pelayanan", ["kabid"], "kabid"),
            ("sent_back", "sent_back", ["kabid"], None),
        ],
        [("kepala_signed", "Tanda tangan Kepala Dinas", ["kepala"], "kepala")],
    ]
    assert _offered(ticket) == [
        ("signed_off", "signed_off", ["officer"], None),
        ("sent_back", "sent_back", ["kabid"], None),
    ]
    assert desk.post(tid, "signed_off", "officer")["state"] == "hand_over"


def test_the_timeline_gives_each_entry_its_label(desk: Journey) -> None:
    tid = _open(desk)
    desk.post(tid, "drafted", "officer")
    desk.post(tid, "kasi_initialled", "kasi")
    posted = desk.call(
        "POST", f"/v1/tickets/{tid}/events", {"type": "kabid_initialled", "actor": "kabid"}
    ).body
    assert [e["event_label"] for e in posted["entries"]] == ["Paraf Kepala Bidang Pelayanan"]
    shown = [(e["event"], e["event_label"]) for e in desk.timeline(tid)]
    assert shown[1:] == [
        ("drafted", "drafted"),  # no label in the YAML: the id
        ("kasi_initialled", "Paraf Kepala Seksi Perizinan"),
        ("kabid_initialled", "Paraf Kepala Bidang Pelayanan"),
    ]
