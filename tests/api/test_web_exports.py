"""The LAPOR! export on the ticket page at row 6, and its downloads."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient

from tests.api.conftest import sign_in
from tests.api.journey import Journey


def _at_row_6(desk: Journey) -> str:
    ticket = desk.create()["id"]
    desk.to_national_entry(ticket)
    return ticket


def test_the_operator_sees_the_export_at_row_6_with_its_downloads(
    desk: Journey, client: FlaskClient
) -> None:
    ticket = _at_row_6(desk)
    page = sign_in(client, "desk").get(f"/web/tickets/{ticket}").get_data(as_text=True)
    assert "Ekspor SP4N-LAPOR!" in page and 'data-export="lapor"' in page
    assert "Teks untuk disalin" in page
    assert "Isi Laporan: Jalan berlubang di depan sekolah" in page  # the text to copy
    assert "Budi Santoso" in page  # the operator may see personal data
    assert "Nomor tiket SP4N-LAPOR!" in page  # what to fill in once entered
    got = client.get(f"/web/tickets/{ticket}/exports/lapor.csv")
    assert got.status_code == 200 and got.mimetype == "text/csv"
    header, values = list(csv.reader(io.StringIO(got.get_data(as_text=True))))
    assert dict(zip(header, values, strict=True))["instansi_tujuan"] == "KEMENDIKBUD"
    text = client.get(f"/web/tickets/{ticket}/exports/lapor.txt")
    assert text.mimetype == "text/plain" and "Judul Laporan: Ijazah" in text.get_data(as_text=True)
    assert client.get(f"/web/tickets/{ticket}/exports/lapor.pdf").status_code == 404


def test_after_the_entry_the_page_shows_the_national_number(
    desk: Journey, client: FlaskClient
) -> None:
    ticket = _at_row_6(desk)
    desk.post(ticket, "entered_national", "staff", {"national_reference": "LPR-2025-5"})
    page = sign_in(client, "desk").get(f"/web/tickets/{ticket}").get_data(as_text=True)
    assert "Nomor di sistem lain" in page and "lapor: LPR-2025-5" in page
    assert 'data-export="lapor"' not in page  # row 6 is done: no longer offered


def test_the_export_is_not_offered_before_row_6_and_masked_for_an_auditor(
    desk: Journey, client: FlaskClient
) -> None:
    early = desk.create()["id"]
    ticket = _at_row_6(desk)
    sign_in(client, "audit")
    assert 'data-export="lapor"' not in client.get(f"/web/tickets/{early}").get_data(as_text=True)
    page = client.get(f"/web/tickets/{ticket}").get_data(as_text=True)
    assert 'data-export="lapor"' in page and "Budi Santoso" not in page
    assert "+6281234567890" not in client.get(f"/web/tickets/{ticket}/exports/lapor.txt").get_data(
        as_text=True
    )
