"""Bar charts as inline SVG, drawn on the server (no script): the monev page's charts.

    share_chart(rows, title) -> Markup     rows: (label, share 0..1 or None, note)
    time_chart(rows, title) -> Markup      rows: (label, median, p90, limit amount or None, note)

Every text is escaped. Bars have a `<title>` (a tooltip) and the chart an `aria-label`.
`time_chart` draws each step's median as a bar and its 90th percentile as a tick, measured
against the step's own time limit (the dashed line at 1x), so steps in hours and in working
days share one axis; a step without a limit is drawn against the largest time of the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

ROW = 22
LABEL_W = 270
BAR_W = 360
NOTE_W = 330
PAD = 6


def _e(value: object) -> str:
    return str(escape(value))


def _frame(title: str, rows: int, body: list[str], axis: list[str]) -> Markup:
    height = PAD * 2 + ROW * (rows + 1)
    width = LABEL_W + BAR_W + NOTE_W
    parts = [
        f'<svg class="chart" role="img" aria-label="{_e(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{_e(title)}</title>",
        *axis,
        *body,
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every text above went through _e


def _label(i: int, label: str) -> str:
    y = PAD + ROW * i + ROW * 0.7
    return f'<text x="{LABEL_W - 8}" y="{y:.1f}" text-anchor="end" class="lbl">{_e(label)}</text>'


def _note(i: int, note: str) -> str:
    y = PAD + ROW * i + ROW * 0.7
    return f'<text x="{LABEL_W + BAR_W + 8}" y="{y:.1f}" class="note">{_e(note)}</text>'


def share_chart(rows: Sequence[tuple[str, float | None, str]], title: str) -> Markup:
    body: list[str] = []
    for i, (label, share, note) in enumerate(rows):
        y = PAD + ROW * i + 4
        body.append(_label(i, label))
        if share is None:
            body.append(_note(i, note or "-"))
            continue
        w = max(0.0, min(1.0, share)) * BAR_W
        cls = "bar good" if share >= 0.9 else "bar warn" if share >= 0.6 else "bar bad"
        body.append(
            f'<rect class="{cls}" x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{ROW - 8}">'
            f"<title>{_e(label)}: {share:.0%} {_e(note)}</title></rect>"
        )
        body.append(_note(i, f"{share:.0%} {note}"))
    bottom = PAD + ROW * len(rows) + 4
    axis = [
        f'<line class="axis" x1="{LABEL_W}" y1="{PAD}" x2="{LABEL_W}" y2="{bottom}"/>',
        f'<line class="grid" x1="{LABEL_W + BAR_W}" y1="{PAD}" x2="{LABEL_W + BAR_W}" '
        f'y2="{bottom}"/>',
        f'<text x="{LABEL_W}" y="{bottom + 12}" class="tick">0%</text>',
        f'<text x="{LABEL_W + BAR_W}" y="{bottom + 12}" text-anchor="end" class="tick">100%</text>',
    ]
    return _frame(title, len(rows), body, axis)


def time_chart(
    rows: Sequence[tuple[str, float | None, float | None, float | None, str]], title: str
) -> Markup:
    ratios = []
    biggest = max((r[2] or r[1] or 0.0 for r in rows if r[3] is None), default=0.0) or 1.0
    for _, median, p90, limit, _ in rows:
        scale = limit or biggest
        ratios.append((median / scale if median is not None else None, (p90 or 0) / scale))
    top = max([2.0, *(p for _, p in ratios)])
    per = BAR_W / top
    body: list[str] = []
    for i, ((label, median, _, _, note), (m, p)) in enumerate(zip(rows, ratios, strict=True)):
        y = PAD + ROW * i + 4
        body.append(_label(i, label))
        if median is None or m is None:
            body.append(_note(i, "-"))
            continue
        cls = "bar good" if p <= 1.0 else "bar warn" if m <= 1.0 else "bar bad"
        body.append(
            f'<rect class="{cls}" x="{LABEL_W}" y="{y}" width="{m * per:.1f}" '
            f'height="{ROW - 8}"><title>{_e(label)}: {_e(note)}</title></rect>'
        )
        x = LABEL_W + p * per
        tick = f'x1="{x:.1f}" y1="{y - 2}" x2="{x:.1f}" y2="{y + ROW - 6}"'
        body.append(f'<line class="p90" {tick}/>')
        body.append(_note(i, note))
    bottom = PAD + ROW * len(rows) + 4
    limit_x = LABEL_W + per
    axis = [
        f'<line class="axis" x1="{LABEL_W}" y1="{PAD}" x2="{LABEL_W}" y2="{bottom}"/>',
        f'<line class="limit" x1="{limit_x:.1f}" y1="{PAD}" x2="{limit_x:.1f}" y2="{bottom}"/>',
        f'<text x="{limit_x:.1f}" y="{bottom + 12}" text-anchor="middle" class="tick">'
        "batas waktu</text>",
    ]
    return _frame(title, len(rows), body, axis)
