"""Every SOP revision under a folder, and which revision governs a ticket received at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from engine.errors import Problem, SopInvalid, UnknownRevision, UnknownSop
from engine.spec.integrations import FOLDER, Integrations, load_integrations
from engine.spec.load import spec_from_checked
from engine.spec.model import Spec
from engine.spec.open311_config import shared_codes
from engine.spec.validate import check_revision_file, display


@dataclass
class Catalog:
    """Loaded revisions by SOP id. Revisions are ordered by effective date, then label."""

    specs: dict[str, dict[str, Spec]] = field(default_factory=dict)
    # Per SOP, what sop/<id>/integrations/ holds (engine.spec.integrations); none when absent.
    integrations: dict[str, Integrations] = field(default_factory=dict)

    def add(self, spec: Spec) -> None:
        self.specs.setdefault(spec.sop_id, {})[spec.revision] = spec

    def integrations_of(self, sop_id: str) -> Integrations:
        return self.integrations.get(sop_id) or Integrations()

    def sop_ids(self) -> list[str]:
        return sorted(self.specs)

    def revisions(self, sop_id: str) -> list[Spec]:
        if sop_id not in self.specs:
            raise UnknownSop(f"no SOP {sop_id!r}; known: {', '.join(self.sop_ids()) or 'none'}")
        return sorted(self.specs[sop_id].values(), key=_effective_key)

    def get(self, sop_id: str, revision: str | None = None) -> Spec:
        revs = self.revisions(sop_id)
        if revision is None:
            return revs[-1]
        for spec in revs:
            if spec.revision == revision:
                return spec
        known = ", ".join(s.revision for s in revs)
        raise UnknownRevision(f"SOP {sop_id!r} has no revision {revision!r}; known: {known}")

    def by_ref(self, ref: str) -> Spec:
        """`sop-id` (its latest revision) or `sop-id@revision`."""
        sop_id, _, rev = ref.partition("@")
        return self.get(sop_id, rev or None)

    def effective(self, sop_id: str, at: datetime) -> Spec:
        """The revision with the latest effective date on or before `at` (a ticket's receipt).

        The date is read in the time zone of each revision's default calendar: a ticket received
        at 00:30 local time on a revision's first day is governed by it, whatever offset `at`
        carries."""
        candidates = [s for s in self.revisions(sop_id) if _effective(s) <= _local_day(s, at)]
        if not candidates:
            day = at.date().isoformat()
            raise UnknownRevision(f"no revision of {sop_id!r} is in force on {day}")
        return candidates[-1]

    def __iter__(self) -> Iterator[Spec]:
        for sop_id in self.sop_ids():
            yield from self.revisions(sop_id)


def _effective(spec: Spec) -> date:
    return spec.identity.governs_from


def _local_day(spec: Spec, at: datetime) -> date:
    if at.tzinfo is None:
        return at.date()
    return at.astimezone(ZoneInfo(spec.calendar().time_zone)).date()


def _effective_key(spec: Spec) -> tuple[date, str]:
    return (_effective(spec), spec.revision)


def revision_files(sop_root: Path) -> list[Path]:
    """`<root>/<sop-id>/<revision>.yaml`: scenario folders and other files are not revisions."""
    return sorted(p for p in sop_root.glob("*/*.yaml") if p.is_file())


def load_catalog(sop_root: str | Path, rules_dir: str | Path | None = None) -> Catalog:
    """Every revision under `sop_root` and each SOP's integration settings (checked against its
    revisions once they all load); raises SopInvalid with the problems of every file."""
    root = Path(sop_root)
    catalog = Catalog()
    problems: list[Problem] = []
    for path in revision_files(root):
        checked = check_revision_file(path, rules_dir or root.resolve().parent / "rules")
        if checked.ok:
            catalog.add(spec_from_checked(checked))
        problems += checked.problems
    if not problems:
        for sop_id in catalog.sop_ids():
            found, wrong = load_integrations(root / sop_id, catalog.revisions(sop_id))
            catalog.integrations[sop_id] = found
            problems += wrong
        configs = {sop_id: i.open311 for sop_id, i in catalog.integrations.items()}
        files = {s: display(root / s / FOLDER / "open311.yaml") for s in configs}
        problems += shared_codes(configs, files)
    if problems:
        raise SopInvalid(problems)
    return catalog
