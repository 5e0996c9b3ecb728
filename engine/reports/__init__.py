"""Monitoring reports (monev) computed in the database, and the periodic jobs that deliver them.

    engine.reports.tables       step_runs, periodic_runs (SQLAlchemy models; migration 0004)
    engine.reports.step_runs    record_step_runs(conn, spec, ticket, log, scopes): the write hook
    engine.reports.monev        monev_report(store, spec, start, end, scope=None) -> MonevReport
    engine.reports.render       as_json / as_csv / as_text of a MonevReport
    engine.reports.periodic     PeriodicJobs(service).run_once(now): periodic steps -> the outbox

Kept light: importing this package imports nothing else (the store imports `.tables`).
"""
