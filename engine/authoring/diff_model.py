"""What a semantic diff of two revisions holds (built by `engine.authoring.diff.diff_specs`).

    DiffResult   header of both revisions, the change records, the impact on open tickets
    Change       one record: (section, kind, subject, attribute) is its key; before/after are
                 JSON-ready values; note carries a meaning ("tighter", "looser", ...)
    Impact       what the change does to open tickets: TicketImpact entries

Every value here is plain data; `DiffResult.to_json()` is the JSON form, `to_markdown()` and
`to_text(color)` are the report forms (engine.authoring.diff_render).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

ChangeKind = Literal["added", "removed", "changed", "renumbered", "moved"]
ImpactKind = Literal["state_removed", "status_removed", "deadline_moves"]

# Report order, and how each section is titled.
SECTIONS: dict[str, str] = {
    "identity": "Identity",
    "settings": "Settings",
    "legal_basis": "Legal basis",
    "qualifications": "Performer qualifications",
    "related_sops": "Related SOPs",
    "equipment": "Equipment",
    "warnings": "Warnings",
    "record_keeping": "Record keeping",
    "actors": "Actors",
    "fields": "Fields",
    "statuses": "Statuses",
    "calendars": "Calendars",
    "steps": "Steps",
    "rules": "Rules",
    "templates": "Templates",
}


@dataclass(frozen=True)
class Change:
    """One difference. `subject` is the stable id of what changed (an identity key, a list
    item's text, an actor/field/status/calendar/rule/template id, or a step id: the step's id
    in B, or in A when it was removed); `attribute` says which part of it (empty when the
    whole subject was added, removed, renumbered or moved). `label` is how a reader names the
    subject ("step 9 (check_documents)"); it is not part of the key."""

    section: str
    kind: ChangeKind
    subject: str
    attribute: str = ""
    before: Any = None
    after: Any = None
    note: str = ""
    label: str = ""

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.section, self.kind, self.subject, self.attribute)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "section": self.section,
            "kind": self.kind,
            "subject": self.subject,
            "attribute": self.attribute,
            "before": self.before,
            "after": self.after,
        }
        if self.note:
            out["note"] = self.note
        if self.label:
            out["label"] = self.label
        return out


@dataclass(frozen=True)
class RevisionInfo:
    sop_id: str
    revision: str
    content_hash: str
    effective: date | None
    rulesets: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"{self.sop_id}@{self.revision}"

    def to_json(self) -> dict[str, Any]:
        return {
            "sop": self.sop_id,
            "revision": self.revision,
            "content_hash": self.content_hash,
            "effective": self.effective.isoformat() if self.effective else None,
            "rulesets": list(self.rulesets),
        }


@dataclass(frozen=True)
class TicketImpact:
    """One open ticket the change affects.

    state_removed: its current step id does not exist in B. status_removed: its status does
    not exist in B. deadline_moves: its current step's time limit (or calendar) changed, so
    its due time would move from `old_due` to `new_due` (None: no deadline)."""

    ticket_id: str
    kind: ImpactKind
    state: str
    step_no: int | None = None
    status: str | None = None
    old_due: datetime | None = None
    new_due: datetime | None = None
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "ticket": self.ticket_id,
            "kind": self.kind,
            "state": self.state,
            "step": self.step_no,
            "status": self.status,
            "old_due": self.old_due.isoformat() if self.old_due else None,
            "new_due": self.new_due.isoformat() if self.new_due else None,
            "note": self.note,
        }


@dataclass(frozen=True)
class Impact:
    """`checked`: open tickets pinned to A that were looked at; `skipped`: tickets given that
    were closed or pinned to another SOP or revision."""

    checked: int
    skipped: int
    entries: tuple[TicketImpact, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "skipped": self.skipped,
            "tickets": [e.to_json() for e in self.entries],
        }


@dataclass(frozen=True)
class DiffResult:
    base: RevisionInfo
    target: RevisionInfo
    changes: tuple[Change, ...]
    impact: Impact | None = None

    def keys(self) -> set[tuple[str, str, str, str]]:
        return {c.key for c in self.changes}

    def by_section(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            out.setdefault(c.section, []).append(c)
        return {s: out[s] for s in SECTIONS if s in out}

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.base.to_json(),
            "to": self.target.to_json(),
            "summary": {s: len(cs) for s, cs in self.by_section().items()},
            "changes": [c.to_json() for c in self.changes],
            "impact": self.impact.to_json() if self.impact is not None else None,
        }

    def to_markdown(self) -> str:
        from engine.authoring.diff_render import render_markdown

        return render_markdown(self)

    def to_text(self, color: bool = False) -> str:
        from engine.authoring.diff_render import render_text

        return render_text(self, color)
