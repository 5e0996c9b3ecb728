"""Audit of the stored log: is it intact, and what it says, for process mining tools.

    verify_store(store) -> Report              engine.app.audit.verify (per-ticket checks:
                                               engine.app.audit.chain_check)
    export_log(store, fmt, out, ...) -> Counts engine.app.audit.export ("xes" or "ocel")

The hash chain itself is written by the store: engine.store.chain.
"""

from engine.app.audit.export import FORMATS, export_log
from engine.app.audit.verify import Report, verify_store

__all__ = ["FORMATS", "Report", "export_log", "verify_store"]
