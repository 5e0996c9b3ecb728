"""The identity block's dates, checked with the rest of the revision in view.

Every identity field may be blank (the paper leaves it so); what a running service cannot do
without is the day the revision starts governing new tickets. That is the paper's TGL. EFEKTIF,
or, when the paper has none, the author's explicit `in_force_from:`, or (as format_version 1
always read it) the day the SOP was made. A revision with none of the three is refused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from engine.spec.report import Report
from engine.spec.schema_fields import is_blank

NO_DATE_HINT = (
    "copy the paper's TGL. EFEKTIF as `effective: YYYY-MM-DD` under `identity:`; "
    "when the paper has none, write `in_force_from: YYYY-MM-DD` at the top level: "
    "the day this revision starts governing new tickets"
)


def check_identity(data: dict[str, Any], report: Report) -> None:
    identity = data.get("identity")
    ident = identity if isinstance(identity, dict) else {}
    made = ident.get("made")
    if isinstance(made, date):
        for key in ("effective", "revised"):
            other = ident.get(key)
            if isinstance(other, date) and other < made:
                report.add(
                    f"{key}_before_made",
                    ("identity", key),
                    f"the {key} date {other} is before the date the SOP was made ({made})",
                )
    _governs_from(data, ident, report)


def _governs_from(data: dict[str, Any], ident: dict[str, Any], report: Report) -> None:
    stated = data.get("in_force_from")
    if not is_blank(ident.get("effective")) and not is_blank(stated):
        report.add(
            "conflicting_keys",
            ("in_force_from",),
            "the paper's effective date and `in_force_from` both say when the revision governs",
            "keep `identity.effective` (the paper's date) and remove `in_force_from`",
        )
    elif all(is_blank(v) for v in (ident.get("effective"), stated, ident.get("made"))):
        report.add(
            "no_effective_date",
            ("identity",) if isinstance(data.get("identity"), dict) else (),
            "the revision does not say from which day it governs new tickets",
            NO_DATE_HINT,
        )
