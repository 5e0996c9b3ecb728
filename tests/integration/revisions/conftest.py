"""A temporary SOP folder holding the seed's r1 (and, on demand, the test-only r2 of
tests/revisions, or r3: r2 with step 9 renamed), a service over it on each database backend, and
helpers that drive seed tickets through the service."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.app.service import TicketRecord, TicketService
from engine.core.clock import ManualClock
from engine.spec.catalog import Catalog, load_catalog
from engine.store import Store
from tests.support.seed import MONDAY, OTHER_CHANNEL, ROOT, ROUTING, WIB

SOP = "surabaya-complaints"
R2_SOURCE = ROOT / "tests" / "revisions"
FOLLOW_UP_DONE = {
    "follow_up_text": "Sudah ditambal",
    "follow_up_photo": "https://example.org/f.jpg",
}
# A Monday in the future of r2's effective date (2026-01-01), two weeks clear of holidays.
MONDAY_2026 = datetime(2026, 1, 12, 9, 0, tzinfo=WIB)


@dataclass
class Tree:
    """sop/ and rules/ under a temporary folder, edited by the test."""

    base: Path

    @property
    def sop_root(self) -> Path:
        return self.base / "sop"

    @property
    def rules_dir(self) -> Path:
        return self.base / "rules"

    def revision(self, label: str) -> Path:
        return self.sop_root / SOP / f"{label}.yaml"

    def rules(self, label: str) -> Path:
        return self.rules_dir / f"{SOP}-{label}.yaml"

    def catalog(self) -> Catalog:
        return load_catalog(self.sop_root, self.rules_dir)

    def add_r2(self, effective: str | None = None) -> Path:
        shutil.copy(R2_SOURCE / "rules" / f"{SOP}-r2.yaml", self.rules("r2"))
        path = self.revision("r2")
        text = (R2_SOURCE / "sop" / SOP / "r2.yaml").read_text(encoding="utf-8")
        if effective:
            text = text.replace("effective: 2026-01-01", f"effective: {effective}")
        path.write_text(text, encoding="utf-8")
        return path

    def add_r3(self) -> Path:
        """r2 with step 9 renamed follow_up -> agency_follow_up (and in force from 2026-02-01)."""
        step = re.compile(r"\bfollow_up\b")
        rules = (R2_SOURCE / "rules" / f"{SOP}-r2.yaml").read_text(encoding="utf-8")
        rules = step.sub("agency_follow_up", rules.replace(f"id: {SOP}-r2", f"id: {SOP}-r3"))
        self.rules("r3").write_text(rules, encoding="utf-8")
        text = (R2_SOURCE / "sop" / SOP / "r2.yaml").read_text(encoding="utf-8")
        text = text.replace("revision: r2", "revision: r3").replace(f"{SOP}-r2]", f"{SOP}-r3]")
        text = text.replace("effective: 2026-01-01", "effective: 2026-02-01")
        path = self.revision("r3")
        path.write_text(step.sub("agency_follow_up", text), encoding="utf-8")
        return path

    def add_revision_copy(self, n: int) -> Path:
        """r2 relabelled r<n>, in force from 1 January 2026 + n days (rules: r2's)."""
        if not self.rules("r2").exists():
            shutil.copy(R2_SOURCE / "rules" / f"{SOP}-r2.yaml", self.rules("r2"))
        text = (R2_SOURCE / "sop" / SOP / "r2.yaml").read_text(encoding="utf-8")
        text = text.replace("revision: r2", f"revision: r{n}")
        text = text.replace("effective: 2026-01-01", f"effective: 2026-01-{n:02d}")
        path = self.revision(f"r{n}")
        path.write_text(text, encoding="utf-8")
        return path

    def touch(self, path: Path, comment: str = "# edited in place\n") -> None:
        path.write_text(path.read_text(encoding="utf-8") + comment, encoding="utf-8")


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    base = tmp_path / "sops"
    (base / "sop" / SOP).mkdir(parents=True)
    (base / "rules").mkdir()
    shutil.copy(ROOT / "sop" / SOP / "r1.yaml", base / "sop" / SOP / "r1.yaml")
    shutil.copy(ROOT / "rules" / f"{SOP}-r1.yaml", base / "rules" / f"{SOP}-r1.yaml")
    return Tree(base)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY)


@pytest.fixture
def make_service(store: Store, clock: ManualClock) -> Any:
    def make(tree: Tree) -> TicketService:
        return TicketService(tree.catalog(), store, clock)

    return make


class Desk:
    """Drives seed tickets through a service, moving its manual clock."""

    def __init__(self, service: TicketService, clock: ManualClock) -> None:
        self.service, self.clock = service, clock

    def new(self, at: datetime | None = None) -> TicketRecord:
        if at is not None:
            self.clock.set(at)
        return self.service.create_ticket(SOP, dict(OTHER_CHANNEL), actor="staff", user="op")

    def post(self, ticket_id: str, event: str, actor: str = "staff", data: dict | None = None,
             after: timedelta = timedelta(hours=1)) -> TicketRecord:  # fmt: skip
        self.clock.advance(after)
        self.service.sweep()
        return self.service.post_event(ticket_id, event, actor, data, user="op").record

    def wait(self, delta: timedelta) -> None:
        self.clock.advance(delta)
        self.service.sweep()

    def to_follow_up(self, ticket_id: str) -> TicketRecord:
        for event, data in (
            ("accept", None),
            ("triage", None),
            ("entered", ROUTING),
            ("responded", {"response_text": "Terima kasih, kami proses"}),
            ("within_authority", None),
            ("routed", None),
        ):
            self.post(ticket_id, event, data=data)
        return self.post(ticket_id, "agency_responded", "agency")

    def to_validate(self, ticket_id: str, follow_up_takes: timedelta) -> TicketRecord:
        self.to_follow_up(ticket_id)
        self.post(ticket_id, "follow_up_submitted", "agency", FOLLOW_UP_DONE, follow_up_takes)
        return self.post(ticket_id, "substance_ok")


@pytest.fixture
def desk_for(clock: ManualClock) -> Iterator[Any]:
    yield lambda service: Desk(service, clock)
