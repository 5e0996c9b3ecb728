"""Times shown to people: seconds where they are not zero, whatever the page or report; the
pages as an Indonesian letter dates ("6 Januari 2025 09.00 WIB")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.web.text import FILTERS
from engine.core.time_text import (
    civil_text,
    left_text,
    long_date,
    moment_text,
    span_text,
    zone_text,
)

AT = datetime(2025, 5, 2, 7, 55, 30, 250_000, tzinfo=UTC)  # 15:55:30.25 in WITA


def test_seconds_are_shown_where_they_are_not_zero() -> None:
    assert moment_text(AT, "WITA") == "2025-05-02 15:55:30"
    assert moment_text(AT.replace(second=0), "Asia/Makassar") == "2025-05-02 15:55"
    assert moment_text(AT, "WIB", iso=True) == "2025-05-02T14:55:30+07:00"
    assert moment_text(AT.replace(second=0), "WIT", with_zone=True) == "2025-05-02 16:55 WIT"
    assert moment_text(None) == "-"


def test_the_web_pages_use_the_same_formatter() -> None:
    assert FILTERS["civil_time"](AT, "Asia/Makassar") == "2 Mei 2025 15.55.30 WITA"
    assert FILTERS["seconds"](30) == "30 detik"


def test_pages_date_as_an_indonesian_letter_does() -> None:
    monday = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
    assert civil_text(monday, "Asia/Jakarta") == "6 Januari 2025 09.00 WIB"
    assert civil_text(monday, "WITA") == "6 Januari 2025 10.00 WITA"
    assert civil_text(monday, "Asia/Jayapura") == "6 Januari 2025 11.00 WIT"
    assert civil_text(monday, "Asia/Kolkata") == "6 Januari 2025 07.30 UTC+05.30"
    assert civil_text(monday, "America/New_York") == "5 Januari 2025 21.00 UTC-05.00"
    assert civil_text(monday, "UTC") == "6 Januari 2025 02.00 UTC"
    assert civil_text(None) == "-"
    assert long_date(monday.date()) == "6 Januari 2025"
    assert zone_text("Asia/Makassar", monday.date()) == "WITA"
    assert zone_text("Europe/Paris", monday.date().replace(month=7)) == "UTC+02.00"  # summer


def test_time_left_reads_in_indonesian() -> None:
    now = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
    assert left_text(now + timedelta(days=2, hours=3), now) == "2 hari 3 jam lagi"
    assert left_text(now - timedelta(hours=5), now) == "terlambat 5 jam"
    assert left_text(now + timedelta(minutes=90), now) == "1 jam 30 menit lagi"
    assert left_text(now, now) == "sekarang"
    assert left_text(None, now) == "-"


def test_spans_read_in_indonesian_down_to_the_second() -> None:
    assert span_text(45) == "45 detik"
    assert span_text(65) == "1 menit 5 detik"
    assert span_text(3 * 3600 + 5 * 60 + 7) == "3 jam 5 menit"
    assert span_text(2 * 86400 + 3 * 3600 + 59) == "2 hari 3 jam"
    assert span_text(0) == "-"
