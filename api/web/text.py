"""Jinja filters for the pages: safe italics, dates, durations, numbers.

Dates and times read as an Indonesian letter writes them ("6 Januari 2025 09.00 WIB") and a
deadline as the time left ("2 hari 3 jam lagi", "terlambat 5 jam"): engine.core.time_text.

`italics(text)` escapes everything, then turns back only `<i>` and `</i>` (the paper form's
italics for foreign words) into tags, balanced: an unclosed `<i>` is closed at the end and a
stray `</i>` is dropped. No other markup ever reaches the page.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from engine.authoring.form import duration_text, plain
from engine.core.time_text import civil_text, left_text, long_date, span_text, zone_text
from engine.spec.model import Duration

_TAG = re.compile(r"&lt;(/?)i&gt;", re.IGNORECASE)
UNIT_WORDS = {
    "seconds": "detik",
    "working_days": "hari kerja",
    "calendar_days": "hari kalender",
    "hours": "jam",
    "minutes": "menit",
}


ERRORS = {
    400: ("Permintaan tidak dapat diproses", "Isian atau alamat halaman ini tidak sesuai."),
    401: ("Belum masuk", "Silakan masuk terlebih dahulu."),
    403: ("Tidak diizinkan", "Akun Anda tidak berhak membuka atau mengubah ini."),
    404: ("Tidak ditemukan", "Halaman, SOP atau tiket yang dicari tidak ada atau tidak terlihat."),
    409: ("Tidak dapat dilakukan sekarang", "Keadaan tiket tidak mengizinkan langkah ini."),
    422: ("Isian tidak sesuai", "Periksa kembali isian atau saringan yang dipilih."),
}
OTHER_ERROR = ("Terjadi kesalahan", "Permintaan tidak dapat diselesaikan.")


def error_words(status: int) -> tuple[str, str]:
    """An error's heading and sentence in Indonesian; the engine's own detail goes below."""
    return ERRORS.get(status, OTHER_ERROR)


def italics(text: Any) -> Markup:
    escaped = str(escape("" if text is None else text))
    out: list[str] = []
    depth = 0
    pos = 0
    for m in _TAG.finditer(escaped):
        out.append(escaped[pos : m.start()])
        pos = m.end()
        if m.group(1):  # a closing tag
            if depth:
                depth -= 1
                out.append("</i>")
        else:
            depth += 1
            out.append("<i>")
    out.append(escaped[pos:])
    out.append("</i>" * depth)
    return Markup("".join(out))  # noqa: S704 - every other character was escaped above


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    return f"{value:.2f} {UNIT_WORDS.get(unit, unit)}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def day_text(day: date | None) -> str:
    return long_date(day)


def limit_text(limit: Duration | None) -> str:
    return duration_text(limit)


FILTERS = {
    "italics": italics,
    "error_words": error_words,
    "plain": plain,
    "civil_time": civil_text,
    "left": left_text,
    "zone_words": zone_text,
    "seconds": span_text,
    "amount": amount,
    "percent": percent,
    "long_date": day_text,
    "limit": limit_text,
}
