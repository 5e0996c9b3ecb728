"""Revisions in operation: published texts are immutable, new ones load while serving, open
tickets move between revisions, and a candidate revision can be tried on stored tickets.

    immutability   check_published(specs, store): a published revision edited in place is refused
    reload         reload_service(service, sop_root, rules_dir, publish): validate, then swap
    migrate        load_state_map / plan_migration / apply_migration  (`sop migrate`)
    deadlines      moved_run: a step run's due time under the keep / recompute policies
    replay         replay_ticket / replay_store: what-if, writing nothing  (`sop replay`)
    replay_report  ReplayReport: per-step SLA results, tickets ending elsewhere, refusals
    stored         the store reads the above need (open tickets of a revision, posted events)

Which revision governs a new ticket (the latest effective date on or before its receipt, read
in the SOP's time zone) is `engine.spec.catalog.Catalog.effective`; the ticket stays pinned to it
(SOP id, revision, content hash) for life, or until a migration moves it.
"""
