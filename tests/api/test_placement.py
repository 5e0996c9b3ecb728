"""The background work runs in one process of those sharing a data folder, and moves to
another when that one ends or dies (api/placement.py)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

from api.placement import LOCK_FILE, Placement, lock_path

POLL = 0.05


class Work:
    def __init__(self) -> None:
        self.started = threading.Event()
        self.stopped = threading.Event()

    def start(self) -> None:
        self.started.set()

    def stop(self, timeout: float = 5.0) -> None:
        self.stopped.set()


def test_the_lock_lives_in_the_data_folder(tmp_path: Path) -> None:
    assert lock_path({"SOP_DATA_DIR": str(tmp_path)}) == tmp_path / LOCK_FILE


def test_one_of_two_runs_the_work_and_the_other_takes_over_when_it_ends(tmp_path: Path) -> None:
    path = tmp_path / "data" / LOCK_FILE  # its folder is made
    first_work, second_work = Work(), Work()
    first = Placement(path, first_work, poll=POLL)
    first.begin()
    assert first_work.started.wait(2)
    second = Placement(path, second_work, poll=POLL)
    second.begin()
    time.sleep(10 * POLL)
    assert first.leader and not second.leader
    assert not second_work.started.is_set()

    first.end()
    assert first_work.stopped.is_set() and not first.leader
    assert second_work.started.wait(2)
    assert second.leader
    second.end()
    assert second_work.stopped.is_set()


def test_a_follower_that_ends_starts_and_stops_nothing(tmp_path: Path) -> None:
    path = tmp_path / LOCK_FILE
    leader_work = Work()
    leader = Placement(path, leader_work, poll=POLL)
    leader.begin()
    assert leader_work.started.wait(2)
    follower_work = Work()
    follower = Placement(path, follower_work, poll=POLL)
    follower.begin()
    time.sleep(4 * POLL)
    follower.end()
    leader.end()
    time.sleep(4 * POLL)
    assert not follower_work.started.is_set() and not follower_work.stopped.is_set()


def test_a_retired_follower_does_not_take_the_work_over(tmp_path: Path) -> None:
    path = tmp_path / LOCK_FILE
    leader_work, follower_work = Work(), Work()
    leader = Placement(path, leader_work, poll=POLL)
    leader.begin()
    assert leader_work.started.wait(2)
    follower = Placement(path, follower_work, poll=POLL)
    follower.begin()
    follower.retire()  # SIGTERM: the whole server is stopping
    leader.retire()
    assert not leader_work.stopped.is_set()  # a leader keeps the work until it ends
    leader.end()
    time.sleep(6 * POLL)
    assert not follower_work.started.is_set()
    follower.end()


def test_a_killed_leader_process_is_replaced_within_a_second(tmp_path: Path) -> None:
    path = tmp_path / LOCK_FILE
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"held\n"
        work = Work()
        placement = Placement(path, work)  # the default poll
        placement.begin()
        time.sleep(0.3)
        assert not work.started.is_set()
        holder.kill()  # SIGKILL: no code of its runs, the kernel drops the lock
        killed = time.monotonic()
        assert work.started.wait(3)
        assert time.monotonic() - killed < 1.0
        placement.end()
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
