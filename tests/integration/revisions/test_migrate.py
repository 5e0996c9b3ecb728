"""`sop migrate SOP@A SOP@B --map FILE`: open tickets pinned to A move to B with their state
mapped and their deadline kept or recomputed; a dry run lists per ticket what would change and
writes nothing; unmapped tickets are named and refuse the whole migration; each move is a
"migrated" entry in the ticket's log, committed with the ticket."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, select, update

from engine.app.revisions import migrate
from engine.app.revisions.stored import SpecResolver
from engine.cli import main
from engine.core.calendar import WorkCalendar
from engine.errors import ActorNotAllowed
from engine.store.tables import DeadlineRow
from tests.integration.revisions.conftest import FOLLOW_UP_DONE, SOP
from tests.support.handlers import registered
from tests.support.seed import ROUTING

R1, R2, R3 = f"{SOP}@r1", f"{SOP}@r2", f"{SOP}@r3"
WIB_ZONE = ZoneInfo("Asia/Jakarta")


def db_args(database) -> list[str]:
    return ["--database-url", database.reader_url]


def snapshot(store) -> dict[str, list]:
    """Every row of every table."""
    with store.read() as tx:
        meta = MetaData()
        meta.reflect(bind=tx.conn)
        return {
            name: sorted((tuple(r) for r in tx.conn.execute(select(table))), key=repr)
            for name, table in meta.tables.items()
        }


@pytest.fixture
def world(tree, make_service, desk_for, database, clock, tmp_path):
    """On r1: one ticket in step 9 (follow_up), one in step 5, one closed; r2 is loaded too."""
    tree.add_r2()
    service = make_service(tree)
    desk = desk_for(service)
    follow = desk.new().id
    desk.to_follow_up(follow)
    check = desk.new().id
    for event, data in (("accept", None), ("triage", None), ("entered", ROUTING)):
        desk.post(check, event, data=data)
    desk.post(check, "responded", data={"response_text": "Kami proses"})
    closed = desk.new().id
    for event, data in (
        ("accept", None),
        ("triage", None),
        ("entered", ROUTING),
        ("responded", {"response_text": "Kami proses"}),
        ("outside_authority", None),
        ("entered_national", {"national_reference": "LAPOR-1"}),
        ("close", None),
        ("replied", {"reply_text": "Diteruskan ke SP4N-LAPOR!"}),
    ):
        desk.post(closed, event, data=data)
    assert not service.get_ticket(closed).ticket.is_open
    runner = CliRunner()

    def run(*args: str, map_text: str = "state_map: {}\n") -> object:
        map_file = tmp_path / "map.yaml"
        map_file.write_text(map_text, encoding="utf-8")
        common = ["--map", str(map_file), "--as-of", clock.now().isoformat()]
        common += ["--sop-root", str(tree.sop_root), "--rules-dir", str(tree.rules_dir)]
        return runner.invoke(main, ["migrate", *args, *common, *db_args(database)])

    return SimpleNamespace(
        service=service, desk=desk, follow=follow, check=check, closed=closed, run=run
    )


def _r2_due(world, ticket_id: str):
    """Step 9's due time on r2's 2 working days from the run's start."""
    run = world.service.get_ticket(ticket_id).ticket.active
    r2 = world.service.catalog.get(SOP, "r2")
    step = r2.step("follow_up")
    return WorkCalendar.for_spec(r2.calendar(step.calendar)).add(run.started, step.time_limit)


def test_a_dry_run_lists_what_would_change_per_ticket_and_writes_nothing(world, store):
    before = snapshot(store)
    old_due = world.service.get_ticket(world.follow).ticket.active.due
    result = world.run(R1, R2, "--dry-run", "--deadline-policy", "recompute")
    assert result.exit_code == 0, result.output
    assert snapshot(store) == before
    lines = result.stdout.splitlines()
    follow = next(line for line in lines if world.follow in line)
    local = "%Y-%m-%d %H:%M"
    old, new = old_due.astimezone(WIB_ZONE), _r2_due(world, world.follow).astimezone(WIB_ZONE)
    assert f"step 9 follow_up; due {old.strftime(local)}" in follow
    assert f"-> {new.strftime(local)}" in follow
    assert "3 working days -> 2 working days, tighter" in follow
    check = next(line for line in lines if world.check in line)
    assert "step 5 check_authority; due" in check and "->" not in check
    assert world.closed not in result.stdout
    assert "dry run: 2 ticket(s) would move; nothing was written" in result.stdout


def test_a_migration_moves_open_tickets_and_logs_each_move(world, store):
    before = world.service.get_ticket(world.follow).ticket
    closed_before = world.service.get_ticket(world.closed).ticket
    result = world.run(R1, R2, "--deadline-policy", "recompute", "--user", "auditor-7")
    assert result.exit_code == 0, result.output
    assert f"moved 2 ticket(s) from {R1} to {R2}" in result.stdout
    r2 = world.service.catalog.get(SOP, "r2")
    after = world.service.get_ticket(world.follow).ticket
    assert (after.revision, after.spec_hash) == ("r2", r2.content_hash)
    assert after.version == before.version + 1
    assert after.active.due == _r2_due(world, world.follow) < before.active.due
    assert after.active.started == before.active.started
    with store.read() as tx:
        dues = tx.conn.scalars(select(DeadlineRow.due).where(DeadlineRow.ticket_id == after.id))
        assert list(dues) == [after.active.due]
    entry = world.service.timeline(world.follow)[-1]
    assert entry["event"] == "migrated"
    assert entry["data"] == {"from": R1, "to": R2, "map": {}, "deadline_policy": "recompute"}
    assert (entry["revision"], entry["spec_hash"]) == ("r2", r2.content_hash)
    assert (entry["from_state"], entry["to_state"]) == ("follow_up", "follow_up")
    assert entry["user"] == "auditor-7" and entry["version"] == after.version
    assert world.service.get_ticket(world.closed).ticket == closed_before
    # From now on r2 decides: its step 11 is the team leader's, no longer the staff's.
    desk = world.desk
    desk.post(world.follow, "follow_up_submitted", "agency", FOLLOW_UP_DONE)
    desk.post(world.follow, "substance_ok")
    with pytest.raises(ActorNotAllowed):
        desk.post(world.follow, "validated", "staff")
    assert desk.post(world.follow, "validated", "team_leader").spec_key == R2


def test_keep_leaves_due_times_where_they_were(world):
    before = world.service.get_ticket(world.follow).ticket.active.due
    result = world.run(R1, R2)  # keep is the default
    assert result.exit_code == 0, result.output
    after = world.service.get_ticket(world.follow).ticket
    assert after.revision == "r2" and after.active.due == before


def test_an_unmapped_ticket_is_named_and_refuses_the_whole_migration(world, tree, store):
    tree.add_r3()  # r2 with step 9 renamed agency_follow_up
    before = snapshot(store)
    result = world.run(R1, R3)
    assert result.exit_code == 1
    assert f"{world.follow}  UNMAPPED: step 9 follow_up is not in {R3}" in result.stdout
    assert "refused: 1 ticket(s) are in steps with no mapping" in result.stderr
    assert snapshot(store) == before


def test_skip_unmapped_moves_the_others(world, tree):
    tree.add_r3()
    result = world.run(R1, R3, "--skip-unmapped")
    assert result.exit_code == 0, result.output
    assert world.service.get_ticket(world.check).ticket.revision == "r3"
    assert world.service.get_ticket(world.follow).ticket.revision == "r1"


def test_the_map_file_renames_steps(world, tree):
    tree.add_r3()
    result = world.run(R1, R3, map_text="state_map:\n  follow_up: agency_follow_up\n")
    assert result.exit_code == 0, result.output
    ticket = world.service.get_ticket(world.follow).ticket
    assert (ticket.revision, ticket.state, ticket.active.step) == (
        "r3",
        "agency_follow_up",
        "agency_follow_up",
    )
    entry = world.service.timeline(world.follow)[-1]
    assert entry["data"]["map"] == {"follow_up": "agency_follow_up"}
    assert (entry["from_state"], entry["to_state"]) == ("follow_up", "agency_follow_up")
    # r3's rules know the renamed step: its deadline still fires and reminds the agency
    world.desk.wait(timedelta(days=7))
    assert world.service.get_ticket(world.follow).ticket.active.breached_at is not None


@pytest.mark.parametrize(
    ("map_text", "expected"),
    [
        (
            "state_map:\n  follow_up: agency_folow_up\n",
            "map.yaml:2:14: unknown_step: state_map.follow_up: 'agency_folow_up' is not a step "
            f"of {R3} (did you mean 'agency_follow_up'?)",
        ),
        (
            "state_map:\n  folow_up: agency_follow_up\n",
            f"map.yaml:2:3: unknown_step: state_map.folow_up: 'folow_up' is not a step of {R1} "
            "(did you mean 'follow_up'?)",
        ),
        ("states: {}\n", "missing_key"),
        ("state_map: [follow_up]\n", "state_map must map old step ids to new step ids"),
    ],
)
def test_a_bad_map_file_is_refused_with_where_and_what(world, tree, store, map_text, expected):
    tree.add_r3()
    before = snapshot(store)
    result = world.run(R1, R3, map_text=map_text)
    assert result.exit_code == 1
    assert expected in result.stderr
    assert snapshot(store) == before


def test_the_ticket_and_its_migrated_entry_commit_together(world, store):
    service = world.service
    before = service.get_ticket(world.follow).ticket
    events_before = len(service.timeline(world.follow))
    specs = SpecResolver(service.catalog, store)
    r2 = service.catalog.get(SOP, "r2")
    now = service.clock.now()
    plan = migrate.plan_migration(store, specs, R1, r2, {}, "keep", now)

    def fail(*_args: object) -> None:
        raise RuntimeError("disk full")

    with registered(fail), pytest.raises(RuntimeError, match="disk full"):
        migrate.apply_migration(store, specs, plan, now, "op")
    assert service.get_ticket(world.follow).ticket == before
    assert len(service.timeline(world.follow)) == events_before


def test_a_migration_onto_itself_or_another_sop_is_refused(world, store):
    service = world.service
    specs = SpecResolver(service.catalog, store)
    r1 = service.catalog.get(SOP, "r1")
    with pytest.raises(Exception, match="name two revisions"):
        migrate.plan_migration(store, specs, R1, r1, {}, "keep", service.clock.now())
    with pytest.raises(Exception, match="another SOP"):
        migrate.plan_migration(store, specs, "permits@r1", r1, {}, "keep", service.clock.now())


def test_migrated_tickets_replay_clean_in_the_audit(world, tree, store):
    """`sop audit verify` replays a "migrated" entry as the migration decided it (the map, the
    deadline policy, the target revision's stored text), and the events after it on r3."""
    from engine.app.audit import verify_store

    tree.add_r3()
    result = world.run(
        R1,
        R3,
        "--deadline-policy",
        "recompute",
        map_text="state_map:\n  follow_up: agency_follow_up\n",
    )
    assert result.exit_code == 0, result.output
    world.service.use_catalog(tree.catalog())
    world.desk.post(world.follow, "follow_up_submitted", "agency", FOLLOW_UP_DONE)
    report = verify_store(store)
    assert report.ok, [p.format() for p in report.problems]
    assert report.replayed == 3 and report.revisions == 3  # r1, r2 (loaded), r3
    with store.write() as tx:
        due = tx.conn.scalar(select(DeadlineRow.due).where(DeadlineRow.ticket_id == world.check))
        tx.conn.execute(
            update(DeadlineRow)
            .where(DeadlineRow.ticket_id == world.check)
            .values(due=due + timedelta(days=1))
        )
    assert [(p.ticket_id, p.table, p.column) for p in verify_store(store).problems] == [
        (world.check, "deadlines", "due")
    ]
