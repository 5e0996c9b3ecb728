"""Plain-text tables with wrapped cells, for printing forms in a terminal."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence

Row = Sequence[str]


_ITEM = re.compile(r"^(- |\d+\. )")


def wrap_cell(text: str, width: int) -> list[str]:
    """Wrap each line of `text`; list items ("- x", "1. x") wrap under their text."""
    lines: list[str] = []
    for para in text.split("\n"):
        item = _ITEM.match(para)
        indent = " " * len(item.group(1)) if item and width > 2 * len(item.group(1)) else ""
        lines += textwrap.wrap(
            para,
            width=max(width, 1),
            break_long_words=True,
            break_on_hyphens=False,
            subsequent_indent=indent,
        ) or [""]
    return lines


def fit_widths(
    wanted: list[int], minimum: list[int], total: int, soft: list[int] | None = None
) -> list[int]:
    """Shrink the widest columns first until the table (with borders) fits `total`: first down
    to the `soft` minimums (where text still reads well), then down to the hard `minimum`."""
    widths = list(wanted)
    budget = total - (3 * len(widths) + 1)
    for floor in ([max(s, m) for s, m in zip(soft, minimum, strict=True)] if soft else [], minimum):
        while floor and sum(widths) > budget:
            shrinkable = [i for i, w in enumerate(widths) if w > floor[i]]
            if not shrinkable:
                break
            widest = max(shrinkable, key=lambda i: widths[i])
            widths[widest] -= 1
    return widths


def draw_table(rows: Sequence[Row], widths: list[int], header_rows: int = 1) -> str:
    rule = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
    heavy = "+" + "+".join("=" * (w + 2) for w in widths) + "+"
    out = [rule]
    for n, row in enumerate(rows):
        cells = [wrap_cell(text, w) for text, w in zip(row, widths, strict=True)]
        height = max(len(c) for c in cells)
        for i in range(height):
            parts = [
                (c[i] if i < len(c) else "").ljust(w) for c, w in zip(cells, widths, strict=True)
            ]
            out.append("| " + " | ".join(parts) + " |")
        out.append(heavy if n == header_rows - 1 else rule)
    return "\n".join(out)


def natural_width(texts: list[str], cap: int) -> int:
    """The widest line among `texts`, at most `cap`."""
    longest = max((len(line) for t in texts for line in t.split("\n")), default=1)
    return min(max(longest, 1), cap)


def longest_word(texts: list[str]) -> int:
    return max((len(word) for t in texts for word in t.split()), default=1)
