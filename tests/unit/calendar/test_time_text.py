"""Times shown to people: seconds where they are not zero, whatever the page or report."""

from __future__ import annotations

from datetime import UTC, datetime

from api.web.text import FILTERS
from engine.core.time_text import moment_text, span_text

AT = datetime(2025, 5, 2, 7, 55, 30, 250_000, tzinfo=UTC)  # 15:55:30.25 in WITA


def test_seconds_are_shown_where_they_are_not_zero() -> None:
    assert moment_text(AT, "WITA") == "2025-05-02 15:55:30"
    assert moment_text(AT.replace(second=0), "Asia/Makassar") == "2025-05-02 15:55"
    assert moment_text(AT, "WIB", iso=True) == "2025-05-02T14:55:30+07:00"
    assert moment_text(AT.replace(second=0), "WIT", with_zone=True) == "2025-05-02 16:55 WIT"
    assert moment_text(None) == "-"


def test_the_web_pages_use_the_same_formatter() -> None:
    assert FILTERS["local_time"](AT, "Asia/Makassar") == "2025-05-02 15:55:30"
    assert FILTERS["seconds"](30) == "30 detik"


def test_spans_read_in_indonesian_down_to_the_second() -> None:
    assert span_text(45) == "45 detik"
    assert span_text(65) == "1 menit 5 detik"
    assert span_text(3 * 3600 + 5 * 60 + 7) == "3 jam 5 menit"
    assert span_text(2 * 86400 + 3 * 3600 + 59) == "2 hari 3 jam"
    assert span_text(0) == "-"
