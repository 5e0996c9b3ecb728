"""The HTML pages through Flask's test client: escaping, masking, scopes, and what each page
shows. (Signing in: tests/api/test_web_signin.py; tests/browser opens the pages in a real
browser.)"""

from __future__ import annotations

import re

import pytest

from api.web.text import italics
from tests.api.conftest import make_app, sign_in
from tests.browser.demo import sop_root
from tests.integration.reports.dataset import build
from tests.support.seed import OTHER_CHANNEL, ROUTING

SOP = "surabaya-complaints"
CORRECTED = {"reporter_name": "Siti Rahma", "reporter_phone": "0857-3333-4444"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("web")
    root, rules = sop_root(tmp)
    app = make_app(tmp / "data", SOP_ROOT=str(root), SOP_RULES_DIR=str(rules))
    rt = app.extensions["sop"]
    tickets = build(rt.service, rt.manual_clock)
    rt.manual_clock.set(rt.manual_clock.now())
    text = dict(OTHER_CHANNEL, complaint_text='<script>alert("x")</script> & <b>bold</b>')
    app.config["ids"] = tickets
    app.config["html_ticket"] = rt.service.create_ticket(SOP, text, actor="staff", user="u").id
    yield app
    rt.close()


def page(app, path: str, token: str | None = "root"):
    client = app.test_client()
    if token is not None:
        sign_in(client, token)
    return client.get(path)


def test_without_a_token_the_pages_ask_to_log_in(app):
    resp = app.test_client().get("/web/tickets?overdue=yes")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/web/login?next=/web/tickets")
    assert "Token" in app.test_client().get("/web/login").get_data(as_text=True)


def test_the_sop_form_has_the_16_activities_and_the_identity_block(app):
    html = page(app, f"/web/sops/{SOP}/r1").get_data(as_text=True)
    assert len(re.findall(r'<tr id="step-\d+"', html)) == 16
    assert "Menerima <i>inquiry</i> dari masyarakat" in html
    assert ">Staff</th>" in html and ">Ketua Tim Kerja</th>" in html
    assert "NIP. 197405091994121001" in html and "061.1/Dinkominfo/KP/10175" in html
    for heading in ("DASAR HUKUM:", "KUALIFIKASI PELAKSANA:", "KETERKAITAN:", "PERINGATAN:"):
        assert heading in html
    assert "3 hari kerja" in html and "24 jam" in html and "7 hari kalender" in html
    assert '<pre class="mermaid" id="flow-diagram">flowchart TD' in html
    assert 'data-mark="decision"' in html and 'data-mark="terminal"' in html


def test_italics_are_the_only_markup_let_through():
    assert str(italics("a <i>b</i> c")) == "a <i>b</i> c"
    assert str(italics("<I>open")) == "<i>open</i>"
    assert str(italics("stray</i> <script>x</script>")) == "stray &lt;script&gt;x&lt;/script&gt;"
    assert str(italics('<i onclick="x">no</i>')) == "&lt;i onclick=&#34;x&#34;&gt;no"


def test_user_text_is_escaped_and_personal_data_masked_for_an_auditor(app):
    tid = app.config["html_ticket"]
    html = page(app, f"/web/tickets/{tid}", token="audit").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "Budi Santoso" not in html and "***" in html
    as_operator = page(app, f"/web/tickets/{tid}", token="desk").get_data(as_text=True)
    assert "Budi Santoso" in as_operator


def test_the_ticket_page_hides_data_typed_into_free_text_and_a_name_since_corrected(app):
    service = app.extensions["sop"].service
    first = {"reporter_name": "Siti Aminah", "reporter_phone": "0857-1111-2222"}
    complaint = "Saya Siti Aminah, wa +62 857 1111 2222, siti@mail.id: got mampet"
    tid = service.create_ticket(
        SOP, {**OTHER_CHANNEL, **first, "complaint_text": complaint}, actor="staff", user="u"
    ).id
    for event, data in [("accept", {}), ("triage", {}), ("entered", {**ROUTING, **CORRECTED})]:
        service.post_event(tid, event, "staff", data, user="u")
    html = page(app, f"/web/tickets/{tid}", token="audit").get_data(as_text=True)
    for secret in ("Siti Aminah", "Siti Rahma", "1111", "siti@mail.id", "3333"):
        assert secret not in html
    assert html.count("Saya ***, wa ***, ***: got mampet") == 2  # the fields, the timeline
    as_operator = page(app, f"/web/tickets/{tid}", token="desk").get_data(as_text=True)
    assert complaint in as_operator and "Siti Rahma" in as_operator


def test_a_late_step_is_marked_late_on_the_ticket_page(app):
    t1 = app.config["ids"].t1
    html = page(app, f"/web/tickets/{t1}").get_data(as_text=True)
    late = re.search(r'data-step="await_agency_response" data-verdict="([^"]+)"', html)
    assert late is not None and late.group(1) == "terlambat"
    assert 'data-step="receive_inquiry" data-verdict="tepat waktu"' in html
    assert "3 hari" in html  # the 72 hours the follow-up was paused


def test_a_scoped_token_sees_only_its_tickets(app):
    ids = app.config["ids"]
    html = page(app, "/web/tickets", token="dsdabm").get_data(as_text=True)
    assert ids.t1 in html and ids.t3 in html and ids.t2 not in html
    other = page(app, f"/web/tickets/{ids.t2}", token="dsdabm")
    assert other.status_code == 404 and "text/html" in other.content_type


def test_overdue_filter_marks_late_tickets(app):
    html = page(app, "/web/tickets?overdue=yes").get_data(as_text=True)
    rows = re.findall(r'<tr class="late">', html)
    assert rows and "terlambat" in html
    bad = page(app, "/web/tickets?overdue=maybe")
    assert bad.status_code == 422 and "overdue must be" in bad.get_data(as_text=True)


def test_the_diff_page_marks_the_changed_time_limit(app):
    html = page(app, f"/web/sops/{SOP}/diff?from=r1&to=r2").get_data(as_text=True)
    changed = re.findall(r'class="c-time_limit diff-changed">([^<]*)<', html)
    assert changed == ["3 hari kerja", "2 hari kerja"]
    assert "Undang-Undang Nomor 27 Tahun 2022" in html
    assert 'data-kind="added"' in html  # step 17 of r2


def test_the_monev_page_draws_charts_and_tables(app):
    html = page(app, f"/web/reports/monev?sop={SOP}&from=2025-01-01&to=2025-02-01")
    text = html.get_data(as_text=True)
    assert text.count('<svg class="chart"') == 3
    assert 'data-figure="received">5<' in text and 'data-figure="closed">2<' in text
    assert "OPD DSDABM" in text and "OPD DPRKPP" in text  # the field by its label
    scoped = page(app, f"/web/reports/monev?sop={SOP}&from=2025-01-01&to=2025-02-01", "dsdabm")
    body = scoped.get_data(as_text=True)
    assert 'data-figure="received">3<' in body and "OPD DPRKPP" not in body
    csv_link = re.search(r'href="(/web/reports/monev\.csv\?[^"]+)"', body)
    assert csv_link is not None
    csv = page(app, csv_link.group(1).replace("&amp;", "&"), "dsdabm")
    assert csv.mimetype == "text/csv"
    assert "DSDABM,tickets,,,received,3," in csv.get_data(as_text=True)


def test_unknown_things_are_html_problems(app):
    resp = page(app, f"/web/sops/{SOP}/r9")
    assert resp.status_code == 404 and "r9" in resp.get_data(as_text=True)
    assert page(app, "/web/reports/monev?from=2025-01-01").status_code == 422


def test_the_root_goes_to_the_pages(app):
    resp = app.test_client().get("/")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/web/")


def test_static_files_need_no_token(app):
    resp = app.test_client().get("/web/static/web.css")
    assert resp.status_code == 200 and "@media print" in resp.get_data(as_text=True)
    resp.close()
