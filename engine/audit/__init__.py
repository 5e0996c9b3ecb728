"""Audit of the stored log: is it intact, and what it says, for process mining tools.

    verify_store(store) -> Report              engine.audit.verify (per-ticket checks:
                                               engine.audit.chain_check)
    export_log(store, fmt, out, ...) -> Counts engine.audit.export ("xes" or "ocel")

The hash chain itself is written by the store: engine.store.chain.
"""

from engine.audit.export import FORMATS, export_log
from engine.audit.verify import Report, verify_store

__all__ = ["FORMATS", "Report", "export_log", "verify_store"]
