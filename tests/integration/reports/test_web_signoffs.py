"""Sign-offs on the web pages: inside their row on the SOP form, and on the ticket page as runs
under their step and as notes in the timeline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from tests.api.conftest import app_on, sign_in
from tests.support.seed import ROOT

PERMIT = ROOT / "tests/sops/sop/practice-permit/v1.yaml"


@pytest.fixture
def app(tmp_path):
    with app_on(tmp_path, {"sop/practice-permit/v1.yaml": PERMIT.read_text()}) as app:
        yield app


def page(app, path: str) -> str:
    client = app.test_client()
    sign_in(client, "root")
    resp = client.get(path)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_data(as_text=True)


def test_the_sop_form_lists_the_sign_offs_inside_their_row(app):
    html = page(app, "/web/sops/practice-permit/v1")
    row = html.split('data-step="approve"')[1].split("</tr>")[0]
    assert '<ul class="signoffs">' in row
    kasi = row.index("a. Paraf Kepala Seksi Perizinan (Kepala Seksi Perizinan; 4 jam)")
    assert kasi < row.index("c. Tanda tangan Kepala Dinas (Kepala Dinas; 1 hari kerja)")
    verify = html.split('data-step="verify"')[1].split("</tr>")[0]
    assert "signoffs" not in verify


def test_the_ticket_page_shows_each_sign_off_under_its_step(app):
    rt = app.extensions["sop"]
    service, clock = rt.service, rt.manual_clock
    clock.set(datetime(2025, 3, 3, 8, 0, tzinfo=timezone(timedelta(hours=8))))  # in force
    tid = service.create_ticket(
        "practice-permit", {"applicant_name": "Ni Luh"}, actor="officer", user="u"
    ).id
    service.post_event(tid, "drafted", "officer", {}, user="u")
    clock.set(clock.now() + timedelta(hours=5))  # the Kasi's 4 hours pass
    service.sweep()
    service.post_event(tid, "kasi_initialled", "kasi", {}, user="u")
    html = page(app, f"/web/tickets/{tid}")
    runs = html.split('id="runs"')[1].split("</table>")[0]
    assert 'data-signoff="kasi"' in runs and 'data-signoff="kabid"' in runs
    kasi = runs.split('data-signoff="kasi"')[1].split("</tr>")[0]
    assert "Paraf Kepala Seksi Perizinan" in kasi and "terlambat" in kasi
    kabid = runs.split('data-signoff="kabid"')[1].split("</tr>")[0]
    assert "menunggu" in kabid
    timeline = html.split('id="timeline"')[1]
    assert "paraf 1 dari 3: Paraf Kepala Seksi Perizinan" in timeline
    assert not re.search(r"\bkasi\b", re.sub(r"<[^>]*>", "", timeline))  # its id: JSON only
