"""Audit of the store: does it hold what its log says, and what the log says, for process mining.

    verify_store(store) -> Report              engine.app.audit.verify: the chains
                                               (chain_check), the replay of each log and its
                                               rows (rebuild, rows_check), the periodic runs
                                               (periodic_check), a checkpoint (checkpoint)
    make_checkpoint / read_checkpoint          engine.app.audit.checkpoint: the chain heads,
                                               signed with a key kept outside the database
    export_log(store, fmt, out, ...) -> Counts engine.app.audit.export ("xes" or "ocel")

The hash chain itself is written by the store: engine.store.chain.
"""

from engine.app.audit.export import FORMATS, export_log
from engine.app.audit.verify import Report, verify_store

__all__ = ["FORMATS", "Report", "export_log", "verify_store"]
