"""The ticket pages as a civil servant reads them: dates as a letter writes them, the time
left, the SOP's words for its events, steps and fields (never their ids), photos as thumbnails.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.api.conftest import sign_in
from tests.api.journey import Journey
from tests.browser.demo import seed
from tests.support.seed import OTHER_CHANNEL

SOP = "surabaya-complaints"
DATE = re.compile(
    r"\b\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|"
    r"Oktober|November|Desember) \d{4} \d{2}\.\d{2} (WIB|WITA|WIT)\b"
)


def words(html: str) -> str:
    """What a person reads: the text of <main>, without tags or attributes."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", main.split(">", 1)[1]))


def page(client: FlaskClient, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_the_ticket_page_names_no_id_of_the_sop(
    app: Flask, client: FlaskClient, desk: Journey
) -> None:
    demo = seed(desk)
    sign_in(client, "root")
    spec = app.extensions["sop"].catalog.get(SOP, "r1")
    event_ids = {ev.name for step in spec.steps for ev in step.events}
    step_ids = {step.id for step in spec.steps}
    field_ids = {f.id for f in spec.fields}
    for ticket in (demo.looped, demo.late, demo.closed):
        html = page(client, f"/web/tickets/{ticket}")
        text = words(html)
        shown = set(re.findall(r"[a-z_]+", text))
        assert not shown & (event_ids | step_ids | field_ids), shown & (
            event_ids | step_ids | field_ids
        )
        assert DATE.search(text), text[:300]
        assert "Asia/Jakarta" not in text
        assert 'data-event="' in html  # the ids stay where a script reads them
    looped = words(page(client, f"/web/tickets/{demo.looped}"))
    assert "Diterima 6 Januari 2025 09.00 WIB" in looped
    assert "kembali ke langkah 9" in looped  # sent back for correction (10 -> 9)
    assert "langkah: 8. Memberikan notifikasi pengingat" in looped  # the deadline's step
    late = words(page(client, f"/web/tickets/{demo.late}"))
    assert "berulang selama langkah 9. Menindaklanjuti pengaduan" in late  # a rule's reminder
    assert "reminder" not in late


def test_deadlines_read_as_the_time_left(client: FlaskClient, desk: Journey) -> None:
    ticket = desk.create(dict(OTHER_CHANNEL))["id"]  # step 1: 1x24 jam
    desk.advance("3 hours")
    sign_in(client, "root")
    deadlines = page(client, f"/web/tickets/{ticket}").split('id="deadlines"', 1)[1]
    assert "7 Januari 2025 09.00 WIB" in deadlines and "21 jam lagi" in deadlines
    desk.advance("26 hours")
    deadlines = page(client, f"/web/tickets/{ticket}").split('id="deadlines"', 1)[1]
    assert "terlambat 5 jam" in deadlines
    listed = words(page(client, "/web/tickets"))
    assert "terlambat 5 jam" in listed and "6 Januari 2025 09.00 WIB" in listed


def test_a_photo_on_this_site_is_a_thumbnail_and_elsewhere_a_link(
    client: FlaskClient, desk: Journey
) -> None:
    here = "http://localhost/files/ab12.jpg"
    ticket = desk.create(dict(OTHER_CHANNEL, attachment=here))["id"]
    sign_in(client, "root")
    html = page(client, f"/web/tickets/{ticket}")
    fields = html.split('id="fields"', 1)[1]
    assert f'<a class="thumb" href="{here}"' in fields
    assert f'<img src="{here}" alt="Lampiran Pengaduan"' in fields
    other = desk.create(dict(OTHER_CHANNEL))["id"]  # https://example.org/foto.jpg
    fields = page(client, f"/web/tickets/{other}").split('id="fields"', 1)[1]
    assert "<img" not in fields  # the page loads no image of another site
    assert '<a class="thumb-link" href="https://example.org/foto.jpg"' in fields
    assert "foto (example.org)" in fields


def test_personal_values_stay_masked_for_an_auditor(
    app: Flask, client: FlaskClient, desk: Journey
) -> None:
    ticket = desk.create(dict(OTHER_CHANNEL))["id"]
    sign_in(client, "audit")
    text = words(page(client, f"/web/tickets/{ticket}"))
    assert "Budi Santoso" not in text and "+6281234567890" not in text
    assert "(disamarkan)" in text


def test_the_ticket_list_filters_by_step_and_status_chosen_from_lists(
    client: FlaskClient, desk: Journey
) -> None:
    demo = seed(desk)
    sign_in(client, "root")
    html = page(client, "/web/tickets")
    assert '<option value="follow_up" >9. Menindaklanjuti pengaduan</option>' in html
    assert '<option value="in_progress" >Sedang Ditindaklanjuti</option>' in html
    assert 'name="state" value=' not in html  # no id to type
    listed = page(client, "/web/tickets?state=follow_up")
    assert demo.late in listed and demo.fresh not in listed
    assert '<option value="follow_up" selected>' in listed
    text = words(listed)
    assert "surabaya-complaints" not in text  # the SOP by its name
    assert '<label>OPD <input name="scope_value"' in html  # the scope field by its label
    by_agency = page(client, "/web/tickets?scope_value=DPRKPP")
    assert demo.looped in by_agency and demo.late not in by_agency
    assert 'name="scope_value" value="DPRKPP"' in by_agency
    assert "PENGADUAN DENGAN PELAPOR" in text


def test_the_sop_page_and_monev_name_events_in_words(
    app: Flask, client: FlaskClient, desk: Journey
) -> None:
    seed(desk)
    sign_in(client, "root")
    spec = app.extensions["sop"].catalog.get(SOP, "r1")
    ids = {ev.name for step in spec.steps for ev in step.events} | {s.id for s in spec.steps}
    sop = words(page(client, f"/web/sops/{SOP}/r1"))  # the flow's Mermaid source included
    assert not set(re.findall(r"[a-z_]+", sop)) & ids
    assert "kembali ke langkah 9" in sop  # the arrow that sends a follow-up back
    monev = words(page(client, f"/web/reports/monev?sop={SOP}&from=2025-01-01&to=2025-02-01"))
    assert not set(re.findall(r"[a-z_]+", monev)) & ids
    assert "kembali ke langkah 9: 1" in monev  # step 10 finished once by sending it back
    assert "Ketepatan waktu per OPD" in monev and "(WIB)" in monev


def test_an_error_page_speaks_indonesian_and_keeps_the_detail(client: FlaskClient) -> None:
    sign_in(client, "root")
    missing = client.get("/web/tickets/NOPE")
    text = words(missing.get_data(as_text=True))
    assert missing.status_code == 404 and "Tidak ditemukan" in text
    bad = client.get("/web/tickets?overdue=maybe")
    text = words(bad.get_data(as_text=True))
    assert bad.status_code == 422 and "Isian tidak sesuai" in text
    assert "Rincian (422): overdue must be yes, no or empty" in text
