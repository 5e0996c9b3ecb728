"""Hot reload: read the SOP folder again and let new revisions govern new tickets, or change
nothing at all.

    reload_service(service, sop_root, rules_dir=None, publish=None) -> ReloadResult

Every revision file is validated (engine.spec.catalog.load_catalog) and checked against the
published texts in the store (app.revisions.immutability). Any problem raises, SopInvalid with
every file's problems or RevisionChanged, before anything running is touched. Otherwise a new
Catalog is built: the files on disk, plus the revisions loaded before whose files are gone (a
running service never loses a revision; a restart drops them). The service then swaps to it
(`TicketService.use_catalog`: the new texts are stored first, then one reference is replaced), and
`publish(catalog)` lets the caller swap its own reference (the API runtime's). Reloads are
serialized by one lock, so two at once cannot interleave their swaps.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.app.revisions.immutability import check_published
from engine.app.service import TicketService
from engine.spec.catalog import Catalog, load_catalog

__all__ = ["ReloadResult", "reload_service"]

_lock = threading.Lock()


@dataclass(frozen=True)
class ReloadResult:
    added: tuple[str, ...] = ()  # sop@revision keys that were not loaded before
    replaced: tuple[str, ...] = ()  # files changed before any ticket used them
    kept: tuple[str, ...] = ()  # loaded before, file gone: kept until a restart
    unchanged: tuple[str, ...] = ()
    integrations: tuple[str, ...] = ()  # SOP ids whose integration settings changed
    catalog: Catalog = field(default_factory=Catalog, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.replaced or self.integrations)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": list(self.added),
            "replaced": list(self.replaced),
            "kept": list(self.kept),
            "unchanged": list(self.unchanged),
            "integrations": list(self.integrations),
            "revisions": [s.key for s in self.catalog],
        }

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.replaced)} replaced"]
        parts += [f"{len(self.unchanged)} unchanged", f"{len(self.kept)} kept (file gone)"]
        names = ", ".join((*self.added, *self.replaced))
        return "; ".join(parts) + (f": {names}" if names else "")


def reload_service(
    service: TicketService,
    sop_root: str | Path,
    rules_dir: str | Path | None = None,
    publish: Callable[[Catalog], None] | None = None,
) -> ReloadResult:
    """Validate the SOP folder and swap the service to it; raises (changing nothing) if any
    file is invalid or a published revision was edited."""
    with _lock:
        fresh = load_catalog(sop_root, rules_dir)
        check_published(fresh, service.store)
        result = _merge(service.catalog, fresh)
        if result.changed:
            service.use_catalog(result.catalog)
            if publish is not None:
                publish(result.catalog)
        return result


def _merge(current: Catalog, fresh: Catalog) -> ReloadResult:
    old = {s.key: s for s in current}
    new = {s.key: s for s in fresh}
    merged = Catalog(integrations={**current.integrations, **fresh.integrations})
    for spec in fresh:
        merged.add(spec)
    kept = [key for key in old if key not in new]
    for key in kept:
        merged.add(old[key])
    added = [k for k in new if k not in old]
    replaced = [k for k in new if k in old and old[k].content_hash != new[k].content_hash]
    unchanged = [k for k in new if k in old and k not in replaced]
    settings = sorted(
        sop for sop, now in fresh.integrations.items() if current.integrations.get(sop) != now
    )
    if not (added or replaced or settings):
        merged = current
    return ReloadResult(
        tuple(added), tuple(replaced), tuple(kept), tuple(unchanged), tuple(settings), merged
    )
