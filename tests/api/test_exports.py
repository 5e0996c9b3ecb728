"""The hand-over to SP4N-LAPOR! (row 6): the export the operator pastes or uploads, and the
national tracking number recorded back as the ticket's external reference."""

from __future__ import annotations

import csv
import io

from tests.api.conftest import As
from tests.api.journey import Journey
from tests.support.seed import OTHER_CHANNEL, ROUTING


def _at_row_6(desk: Journey) -> str:
    ticket = desk.create()["id"]
    desk.to_national_entry(ticket)
    return ticket


def _export(journey: Journey, ticket: str, query: str = "", expect: int = 200):
    return journey.call("GET", f"/v1/tickets/{ticket}/exports/lapor{query}", expect=expect)


def test_row_6_offers_what_lapor_asks_for_from_the_ticket(desk: Journey) -> None:
    ticket = _at_row_6(desk)
    body = _export(desk, ticket).body
    assert body["offered"] is True and body["label"] == "Ekspor SP4N-LAPOR!"
    values = {c["name"]: c["value"] for c in body["columns"]}
    assert values["klasifikasi"] == "Pengaduan"
    assert values["judul"] == "Ijazah" and values["instansi_tujuan"] == "KEMENDIKBUD"
    assert values["isi_laporan"] == OTHER_CHANNEL["complaint_text"]
    assert values["lokasi_kejadian"] == OTHER_CHANNEL["location"]
    assert values["tanggal_kejadian"] == "2025-01-06"  # received Monday 09:00 WIB
    assert values["nama_pelapor"] == "Budi Santoso"  # the operator sees personal data
    assert values["nomor_tiket_kota"] == ticket
    assert body["reference"] == {
        "source": "lapor",
        "field": "national_reference",
        "id": None,
        "held": False,
    }
    # Before row 6 the API still answers it (an auditor reads it), but it is not offered.
    early = desk.create()["id"]
    assert _export(desk, early).body["offered"] is False


def test_csv_for_an_upload_and_text_for_pasting(desk: Journey, as_: As) -> None:
    ticket = _at_row_6(desk)
    raw = _raw(as_, ticket, "?format=csv")
    assert raw.mimetype == "text/csv"
    assert f"lapor-{ticket}.csv" in raw.headers["Content-Disposition"]
    header, values = list(csv.reader(io.StringIO(raw.get_data(as_text=True))))
    row = dict(zip(header, values, strict=True))
    assert row["isi_laporan"] == OTHER_CHANNEL["complaint_text"] and row["kategori"] == "Pendidikan"
    text = _raw(as_, ticket, "?format=text").get_data(as_text=True)
    assert "Isi Laporan: Jalan berlubang di depan sekolah\n" in text
    assert "Instansi Tujuan: KEMENDIKBUD\n" in text
    assert _raw(as_, ticket, "", accept="text/csv").mimetype == "text/csv"


def _raw(as_: As, ticket: str, query: str, accept: str = "*/*"):
    """The raw answer (the Journey parses JSON only)."""
    return as_.client.get(
        f"/v1/tickets/{ticket}/exports/lapor{query}",
        headers={"Authorization": "Bearer root-secret", "Accept": accept},
    )


def test_a_reader_without_personal_access_gets_it_masked(desk: Journey, as_: As) -> None:
    ticket = _at_row_6(desk)
    body = _export(as_("audit"), ticket).body
    by_name = {c["name"]: c for c in body["columns"]}
    assert by_name["nama_pelapor"]["value"] != "Budi Santoso"
    assert by_name["nama_pelapor"]["masked"] is True
    assert "+6281234567890" not in str(body)
    assert by_name["isi_laporan"]["masked"] is False


def test_the_national_number_becomes_the_tickets_reference(desk: Journey) -> None:
    ticket = _at_row_6(desk)
    after = desk.post(ticket, "entered_national", "staff", {"national_reference": "LPR-2025-77"})
    assert after["state"] == "close_complaint"
    assert {"source": "lapor", "id": "LPR-2025-77"} in desk.ticket(ticket)["refs"]
    assert desk.call("GET", "/v1/refs/lapor/LPR-2025-77").body["id"] == ticket
    assert _export(desk, ticket).body["reference"]["held"] is True


def test_a_number_another_ticket_holds_refuses_the_event_and_changes_nothing(
    desk: Journey,
) -> None:
    first = _at_row_6(desk)
    desk.post(first, "entered_national", "staff", {"national_reference": "LPR-1"})
    second = _at_row_6(desk)
    before, logged = desk.ticket(second), len(desk.timeline(second))
    refused = desk.call(
        "POST",
        f"/v1/tickets/{second}/events",
        {"type": "entered_national", "actor": "staff", "data": {"national_reference": "LPR-1"}},
        expect=422,
    )
    assert refused.body["code"] == "invalid_data"
    assert "national_reference" in refused.body["errors"]
    assert "held by another ticket" in refused.body["detail"]
    now = desk.ticket(second)
    assert now["version"] == before["version"] and now["state"] == "enter_national_system"
    assert len(desk.timeline(second)) == logged
    assert desk.call("GET", "/v1/refs/lapor/LPR-1").body["id"] == first


def test_scope_and_unknown_exports_are_404(desk: Journey, as_: As) -> None:
    ticket = desk.create()["id"]
    desk.to_authority_check(ticket)
    desk.post(ticket, "within_authority", "staff", ROUTING)  # routed to DSDABM
    assert _export(as_("dsdabm"), ticket).status == 200
    assert _export(as_("dinkes"), ticket, expect=404).body["code"] == "not_found"
    missing = desk.call("GET", f"/v1/tickets/{ticket}/exports/nope", expect=404)
    assert "known: lapor" in missing.body["detail"]
    bad = _export(desk, ticket, "?format=pdf", expect=422)
    assert "format" in str(bad.body)


def test_an_opening_that_carries_the_national_number_is_not_opened_twice(desk: Journey) -> None:
    # A system that opens the city's ticket for a complaint already in LAPOR! gives the number
    # as a field; retrying after a lost answer finds the same ticket, as `refs` would.
    fields = {**OTHER_CHANNEL, "national_reference": "LPR-9"}
    body = {"sop": "surabaya-complaints", "fields": fields}
    first = desk.call("POST", "/v1/tickets", body, expect=201)
    assert first.body["refs"] == [{"source": "lapor", "id": "LPR-9"}]
    again = desk.call("POST", "/v1/tickets", body, expect=200)
    assert again.headers["Existing-Ticket"] == "true" and again.body["id"] == first.body["id"]
    assert len(desk.call("GET", "/v1/tickets").body["items"]) == 1
