"""Monitoring reports (monev) computed in the database, and the periodic jobs that deliver them.

    step_runs   record_step_runs(tx, spec, ticket, log, scopes): the read model's handler
    monev       monev_report(store, spec, start, end, scope=None) -> MonevReport
    render      as_json / as_csv / as_text of a MonevReport
    periodic    PeriodicJobs(service).run_once(now): periodic steps -> the outbox

The tables (step_runs, periodic_runs) are the store's (engine.store.tables); engine.app.handlers
registers record_step_runs for every write of an event.
Kept light: importing this package imports nothing else.
"""
