"""GET /v1/sops/{sop}/diff: the seed's r1 -> r2 (a test-only revision) over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import TOKENS, As, app_on
from tests.api.journey import Journey
from tests.support.seed import ROOT

DIFF = "/v1/sops/surabaya-complaints/diff"
REVISIONS = ROOT / "tests" / "revisions"


@pytest.fixture
def two_revisions(tmp_path: Path) -> Iterator[Flask]:
    """An app whose SOP root holds the seed's r1 and tests/revisions' r2 (effective 2026)."""
    files = {
        "sop/surabaya-complaints/r1.yaml": ROOT / "sop" / "surabaya-complaints" / "r1.yaml",
        "sop/surabaya-complaints/r2.yaml": REVISIONS / "sop" / "surabaya-complaints" / "r2.yaml",
        "rules/surabaya-complaints-r1.yaml": ROOT / "rules" / "surabaya-complaints-r1.yaml",
        "rules/surabaya-complaints-r2.yaml": REVISIONS / "rules" / "surabaya-complaints-r2.yaml",
    }
    with app_on(
        tmp_path, {name: p.read_text(encoding="utf-8") for name, p in files.items()}
    ) as app:
        yield app


@pytest.fixture
def as_(two_revisions: Flask) -> As:
    return As(two_revisions.test_client())


def _get(client: FlaskClient, query: str, token: str | None = "audit"):
    headers = {"Authorization": f"Bearer {TOKENS[token][0]}"} if token else {}
    return client.get(f"{DIFF}?{query}", headers=headers)


def test_the_json_diff_lists_the_changes_of_r2(two_revisions: Flask) -> None:
    resp = _get(two_revisions.test_client(), "from=r1&to=r2")
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["from"]["revision"], body["to"]["revision"]) == ("r1", "r2")
    assert len(body["changes"]) == 11
    limit = next(c for c in body["changes"] if c["attribute"] == "time_limit")
    assert (limit["subject"], limit["before"]["text"], limit["after"]["text"], limit["note"]) == (
        "follow_up",
        "3 working days",
        "2 working days",
        "tighter",
    )
    assert body["impact"] is None


def test_markdown_for_audit_reports(two_revisions: Flask) -> None:
    resp = _get(two_revisions.test_client(), "from=r1&to=r2&format=markdown")
    assert resp.status_code == 200
    assert resp.mimetype == "text/markdown"
    text = resp.get_data(as_text=True)
    assert text.startswith("# SOP diff: surabaya-complaints@r1 → surabaya-complaints@r2")
    assert "### step 9 (follow_up)" in text


def test_bad_requests_are_problems(two_revisions: Flask) -> None:
    client = two_revisions.test_client()
    resp = _get(client, "from=r1&to=r7")
    assert resp.status_code == 404
    assert resp.mimetype == "application/problem+json"
    assert resp.get_json()["code"] == "unknown_revision"
    assert "r7" in resp.get_json()["detail"]
    assert (
        client.get(
            "/v1/sops/nope/diff?from=r1&to=r2",
            headers={"Authorization": f"Bearer {TOKENS['audit'][0]}"},
        ).get_json()["code"]
        == "unknown_sop"
    )
    resp = _get(client, "to=r2&format=pdf")
    assert resp.status_code == 422
    assert set(resp.get_json()["errors"]) == {"from", "format"}
    assert _get(client, "from=r1&to=r2", token=None).status_code == 401


def test_impact_covers_the_open_tickets_the_token_may_see(as_: As) -> None:
    desk: Journey = as_("root")
    ticket = desk.create()["id"]  # received Monday 6 January 2025: governed by r1
    desk.to_follow_up(ticket)  # step 9 started Monday 09:00 WIB
    body = as_("audit").call("GET", f"{DIFF}?from=r1&to=r2&impact=true").body
    assert body["impact"]["checked"] == 1
    (entry,) = body["impact"]["tickets"]
    assert entry["ticket"] == ticket and entry["kind"] == "deadline_moves"
    assert entry["old_due"] == "2025-01-09T09:00:00+07:00"
    assert entry["new_due"] == "2025-01-08T09:00:00+07:00"
    # An agency token scoped to another agency sees no ticket, so none is counted.
    other = as_("dinkes").call("GET", f"{DIFF}?from=r1&to=r2&impact=true").body
    assert other["impact"] == {"checked": 0, "skipped": 0, "tickets": []}
