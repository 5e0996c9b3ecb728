"""Hot reload over HTTP (POST /v1/admin/reload): new revision files are validated and added to
the running catalog; an invalid file or an edited published revision is refused with every
problem per file, and the service keeps serving exactly as before."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.api.conftest import As, make_app
from tests.integration.revisions.conftest import MONDAY_2026, SOP, Tree

RELOAD = "/v1/admin/reload"


@pytest.fixture
def app(tree: Tree, tmp_path) -> Iterator[Flask]:
    app = make_app(
        tmp_path / "data",
        SOP_ROOT=str(tree.sop_root),
        SOP_RULES_DIR=str(tree.rules_dir),
        SOP_CLOCK_START=MONDAY_2026.isoformat(),  # r2 (effective 2026-01-01) is in force
    )
    yield app
    app.extensions["sop"].close()


@pytest.fixture
def as_(app: Flask) -> As:
    return As(app.test_client())


def _revisions(as_: As) -> list[str]:
    body = as_("root").call("GET", f"/v1/sops/{SOP}").body
    return [r["revision"] for r in body["revisions"]]


def test_a_new_revision_file_is_added_and_governs_new_tickets(tree, as_):
    admin = as_("root")
    before = admin.create()
    assert before["revision"] == "r1"
    tree.add_r2()
    reply = admin.call("POST", RELOAD).body
    assert reply["added"] == [f"{SOP}@r2"]
    assert reply["unchanged"] == [f"{SOP}@r1"]
    assert reply["revisions"] == [f"{SOP}@r1", f"{SOP}@r2"]
    assert _revisions(as_) == ["r1", "r2"]
    assert admin.create()["revision"] == "r2"
    # the ticket opened before stays on r1 and is still decided by it
    assert admin.post(before["id"], "accept", "staff")["revision"] == "r1"


def test_reloading_unchanged_files_changes_nothing(as_):
    reply = as_("root").call("POST", RELOAD).body
    assert reply["added"] == [] and reply["replaced"] == []
    assert reply["unchanged"] == [f"{SOP}@r1"]


def test_an_invalid_new_file_is_refused_with_its_errors_and_the_service_keeps_serving(tree, as_):
    admin = as_("root")
    path = tree.add_r2()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("time_limit: 2 working days", "time_limit: 2 fortnights"))
    reply = admin.call("POST", RELOAD, expect=422)
    assert reply.body["code"] == "sop_invalid"
    assert "nothing changed" in reply.body["detail"]
    assert list(reply.body["errors"]) == [str(path)]
    (message,) = reply.body["errors"][str(path)]
    assert "time_limit" in message and "fortnights" in message
    assert _revisions(as_) == ["r1"]
    assert admin.create()["revision"] == "r1"


def test_a_published_revision_edited_in_place_is_refused_on_reload(tree, as_, app):
    admin = as_("root")
    ticket = admin.create()
    published = ticket["spec_hash"]
    tree.touch(tree.revision("r1"))
    tree.add_r2()  # a valid new file beside it is not added either: all or nothing
    reply = admin.call("POST", RELOAD, expect=422)
    assert reply.body["code"] == "revision_changed"
    (message,) = reply.body["errors"][str(tree.revision("r1"))]
    edited = tree.catalog().get(SOP, "r1").content_hash
    assert published in message and edited in message
    assert "new revision" in message
    assert _revisions(as_) == ["r1"]
    assert admin.post(ticket["id"], "accept", "staff")["spec_hash"] == published


def test_only_an_admin_may_reload(tree, as_):
    tree.add_r2()
    reply = as_("desk").call("POST", RELOAD, expect=403)
    assert reply.body["code"] == "forbidden"
    as_(None).call("POST", RELOAD, expect=401)
    assert _revisions(as_) == ["r1"]


def test_requests_during_reloads_see_one_whole_catalog_or_the_other(tree, app):
    """Tickets are opened and SOPs listed while the folder gains revisions and is reloaded."""
    failures: list[str] = []
    seen: set[str] = set()
    stop = threading.Event()

    def work() -> None:
        user = As(app.test_client())("root")
        while not stop.is_set():
            reply = user.call("POST", "/v1/tickets", _ticket(), expect=None)
            if reply.status != 201:
                failures.append(f"create: {reply.status} {reply.body}")
                return
            seen.add(reply.body["revision"])
            listed = user.call("GET", f"/v1/sops/{SOP}", expect=None)
            if listed.status != 200 or not listed.body["revisions"]:
                failures.append(f"list: {listed.status} {listed.body}")
                return

    workers = [threading.Thread(target=work) for _ in range(3)]
    for t in workers:
        t.start()
    admin = As(app.test_client())("root")
    try:
        for n in range(2, 8):
            tree.add_revision_copy(n)
            reply = admin.call("POST", RELOAD, expect=None)
            if reply.status != 200 or reply.body["added"] != [f"{SOP}@r{n}"]:
                failures.append(f"reload r{n}: {reply.status} {reply.body}")
    finally:
        stop.set()
        for t in workers:
            t.join(30)
    assert failures == []
    assert _revisions(As(app.test_client())) == [f"r{n}" for n in range(1, 8)]
    assert "r7" in seen or admin.create()["revision"] == "r7"


def _ticket() -> dict:
    return {"sop": SOP, "fields": {"channel": "email", "complaint_text": "Lampu jalan mati"}}
