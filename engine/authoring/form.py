"""A revision printed as the Permenpan RB 35/2012 paper form, and as JSON-ready data.

    render_form(spec, width=160) -> str     identity block, the six short sections, activity table
    spec_as_dict(spec) -> dict              every key of the Spec, dates as ISO text

The form's labels are those of the national format (Indonesian); everything else comes from the
revision. `<i>` tags (italics on paper) are dropped for the terminal.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

from engine.authoring.texttable import draw_table, fit_widths, longest_word, natural_width
from engine.core.time_text import long_date
from engine.spec.durations import in_indonesian
from engine.spec.labels import actor_label, condition_words
from engine.spec.model import Duration, Input, Spec, Step

UNITS = {
    "seconds": "detik",
    "minutes": "menit",
    "hours": "jam",
    "calendar_days": "hari kalender",
    "working_days": "hari kerja",
}
MARK = "X"
_TAGS = re.compile(r"</?i>", re.IGNORECASE)


def plain(text: str) -> str:
    return _TAGS.sub("", text)


def duration_text(limit: Duration | None) -> str:
    if limit is None:
        return "-"
    if in_indonesian(limit.text):  # the paper's own words: "1x24 jam", "15 menit kerja"
        return limit.text
    n = int(limit.amount) if float(limit.amount).is_integer() else limit.amount
    office = " kerja" if limit.office and limit.unit in ("seconds", "minutes", "hours") else ""
    return f"{n} {UNITS[limit.unit]}{office}"


def signoff_lines(spec: Spec, step: Step) -> list[str]:
    """The row's sign-offs in order, as the form shows them under its activity:
    `a. Paraf Kepala Seksi (Kepala Seksi Perizinan; 4 jam)`."""
    out = []
    for i, s in enumerate(step.signoffs):
        who = actor_label(spec, s.performer)
        limit = f"; {duration_text(s.time_limit)}" if s.time_limit is not None else ""
        out.append(f"{chr(ord('a') + i % 26)}. {plain(s.text)} ({who}{limit})")
    return out


def render_form(spec: Spec, width: int = 160) -> str:
    return "\n\n".join((_identity(spec, width), _sections(spec, width), _activities(spec, width)))


def blank(text: str) -> str:
    """A field the paper leaves blank is shown as "-": nothing is invented."""
    return text if text.strip() else "-"


def _identity(spec: Spec, width: int) -> str:
    ident = spec.identity
    ap = ident.approved_by
    approver = [x for x in (ap.title, ap.name, ap.rank, f"NIP. {ap.nip}" if ap.nip else "") if x]
    rows = [
        ("", "\n".join((ident.government, *ident.units)).strip()),
        ("NOMOR SOP", blank(ident.number)),
        ("TGL. PEMBUATAN", long_date(ident.made)),
        ("TGL. REVISI", long_date(ident.revised)),
        ("TGL. EFEKTIF", long_date(ident.effective)),
        ("DISAHKAN OLEH", "\n".join(approver) or "-"),
        ("NAMA SOP", blank(ident.name)),
    ]
    label = 16
    value = max(20, min(width - label - 7, natural_width([r[1] for r in rows], 200)))
    return draw_table(
        [("", f"SOP {spec.sop_id} @ {spec.revision}"), *rows], [label, value], header_rows=1
    )


def _numbered(items: tuple[str, ...]) -> str:
    if not items:
        return "-"
    if len(items) == 1:
        return plain(items[0])
    return "\n".join(f"{i}. {plain(x)}" for i, x in enumerate(items, start=1))


def _sections(spec: Spec, width: int) -> str:
    pairs = [
        (("DASAR HUKUM", spec.legal_basis), ("KUALIFIKASI PELAKSANA", spec.qualifications)),
        (("KETERKAITAN", spec.related_sops), ("PERALATAN/PERLENGKAPAN", spec.equipment)),
        (("PERINGATAN", spec.warnings), ("PENCATATAN DAN PENDATAAN", spec.record_keeping)),
    ]
    half = max(24, (width - 7) // 2)
    blocks = []
    for left, right in pairs:
        rows = [(left[0], right[0]), (_numbered(left[1]), _numbered(right[1]))]
        blocks.append(draw_table(rows, [half, half], header_rows=1))
    return "\n".join(blocks)


def _activities(spec: Spec, width: int) -> str:
    labels = {a.id: a.label for a in spec.actors}
    columns = [labels.get(p, p) for p in spec.performers]
    others = [
        ", ".join(labels.get(p, p) for p in s.performers if p not in spec.performers)
        for s in spec.steps
    ]
    with_others = any(others)
    header = [
        "No.",
        "Kegiatan",
        *columns,
        *(["Pelaksana Lain"] if with_others else []),
        "Kelengkapan",
        "Waktu",
        "Output",
        "Keterangan",
    ]
    rows = [header] + [
        _row(s, spec, o, with_others) for s, o in zip(spec.steps, others, strict=True)
    ]
    return draw_table(rows, _activity_widths(rows, len(columns), with_others, width))


def input_text(spec: Spec, item: Input) -> str:
    """A kelengkapan item as the form shows it; one needed only under a condition says when."""
    when = f" (jika {condition_words(spec, item.when)})" if item.when is not None else ""
    return f"{plain(item.text)}{when}"


def _row(step: Step, spec: Spec, others: str, with_others: bool) -> list[str]:
    marks = [MARK if p in step.performers else "" for p in spec.performers]
    inputs = "\n".join(f"- {input_text(spec, i)}" for i in step.inputs) or "-"
    return [
        str(step.no),
        "\n".join((plain(step.activity), *signoff_lines(spec, step))),
        *marks,
        *([others] if with_others else []),
        inputs,
        duration_text(step.time_limit),
        plain(step.output) or "-",
        plain(step.remarks),
    ]


def _activity_widths(
    rows: list[list[str]], n_perf: int, with_others: bool, width: int
) -> list[int]:
    cols = list(zip(*rows, strict=True))
    n_fixed = 2 + n_perf + (1 if with_others else 0)
    wanted, soft, minimum = [], [], []
    for i, col in enumerate(cols):
        texts = list(col)
        if i == 0 or 2 <= i < 2 + n_perf:  # No. and the performer marks: the header may wrap
            wanted.append(natural_width(texts, 16))
            soft.append(longest_word(texts[:1]))
            minimum.append(longest_word(texts[:1]))
        elif with_others and i == n_fixed - 1:  # Pelaksana Lain: short names
            wanted.append(natural_width(texts, 24))
            soft.append(min(12, wanted[-1]))
            minimum.append(longest_word(texts[:1]))
        elif i == n_fixed + 1:  # Waktu: one line if at all possible
            wanted.append(natural_width(texts, 15))
            soft.append(wanted[-1])
            minimum.append(longest_word(texts))
        else:
            wanted.append(natural_width(texts, 60))
            soft.append(min(22, wanted[-1]))
            minimum.append(min(12, wanted[-1]))
    return fit_widths(wanted, minimum, width, soft)


def spec_as_dict(spec: Spec) -> dict[str, Any]:
    return _jsonable(dataclasses.asdict(spec))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value
