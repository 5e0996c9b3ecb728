"""Long reads of every ticket (`sop revision replay`, `sop audit verify`) spread over processes.

    processes = Processes(jobs, url, read_only=False)     how many, and where workers read
    processes.wanted(tickets) -> bool                     False: run in-process
    chunks(ids, size) -> list[Chunk]                      consecutive id ranges (after, upto]
    run_chunks(processes, setup, setup_args, work, chunks, progress) -> results, in chunk order

Tickets are independent, so the work is split by id: each chunk is a range of consecutive ids,
and each worker process checks chunks one after another, as the parent hands them out. Workers
are started with `spawn`: nothing is inherited by fork (durable_rules' compiled rulesets and
SQLAlchemy's engines and pools must not be shared across it). Each worker runs
`setup(*setup_args)` once (it opens its own store from the database URL, compiles its own
revisions) and then `work(state, chunk)` for each chunk it is handed; `setup` and `work` are
module-level functions (passed by name), their arguments and results plain picklable values.

The results come back in chunk order, whichever finished first, so a caller that merges them in
that order gets what one process walking the ids in order would have got. `progress(n)` is
called in the parent with each chunk's ticket count as it completes (a progress bar).

Starting a worker costs about a second (a fresh interpreter importing the engine): fewer than
`MIN_TICKETS` tickets are checked in-process, whatever `jobs` says.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import get_context, util
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from engine.store import Store

__all__ = [
    "CHUNK_TICKETS",
    "MIN_TICKETS",
    "Chunk",
    "Processes",
    "chunks",
    "default_jobs",
    "run_chunks",
]

MIN_TICKETS = 1000  # fewer tickets than this: in-process (a worker takes ~1 s to start)
CHUNK_TICKETS = 500  # tickets per chunk: 200 for 100,000, a step of the progress bar each

R = TypeVar("R")


def default_jobs() -> int:
    """One process per core (`os.cpu_count()`; 1 when it cannot tell)."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class Processes:
    """How many processes to use, and the database they read (each worker opens it anew)."""

    jobs: int
    url: str
    read_only: bool = False
    min_tickets: int = MIN_TICKETS

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise ValueError(f"jobs must be 1 or more (one per core here: {default_jobs()})")

    def wanted(self, tickets: int) -> bool:
        """Whether `tickets` are worth the workers' start (else: in-process)."""
        return self.jobs > 1 and tickets >= self.min_tickets

    def open_store(self) -> Store:
        """The store, opened by a worker for itself; closed when the worker ends."""
        from engine.store import Store

        store = Store.open_existing(self.url, read_only=self.read_only)
        util.Finalize(store, store.close, exitpriority=10)
        return store


@dataclass(frozen=True)
class Chunk:
    """Tickets with `after` < id <= `upto` (None: no bound), `tickets` of them when planned."""

    after: str | None
    upto: str | None
    tickets: int


def chunks(ids: Sequence[str], size: int = CHUNK_TICKETS) -> list[Chunk]:
    """`ids` (sorted) in consecutive ranges of `size`. The first range is open below and the
    last open above, so together they cover every id, including any written since."""
    out = []
    for first in range(0, len(ids), size):
        last = min(first + size, len(ids)) - 1
        after = ids[first - 1] if first else None
        upto = ids[last] if last < len(ids) - 1 else None
        out.append(Chunk(after, upto, last - first + 1))
    return out


def run_chunks(
    processes: Processes,
    setup: Callable[..., Any],
    setup_args: tuple[Any, ...],
    work: Callable[[Any, Chunk], R],
    planned: Sequence[Chunk],
    progress: Callable[[int], None] | None = None,
) -> list[R]:
    """`work(state, chunk)` for every chunk, in `processes.jobs` worker processes (no more
    than there are chunks); the results in chunk order. A worker's error is raised here."""
    results: dict[int, R] = {}
    context = get_context("spawn")
    jobs = max(1, min(processes.jobs, len(planned)))
    pool = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_start, initargs=(setup, setup_args)
    )
    try:
        pending: dict[Future[R], int] = {
            pool.submit(_run, work, chunk): i for i, chunk in enumerate(planned)
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                i = pending.pop(future)
                results[i] = future.result()
                if progress is not None:
                    progress(planned[i].tickets)
    finally:
        # Not waiting for the workers to wind down (~0.5 s: closing their stores, exiting):
        # the results are here; the interpreter joins them at its exit.
        pool.shutdown(wait=False, cancel_futures=True)
    return [results[i] for i in range(len(planned))]


# -- in the worker ------------------------------------------------------------------------------

_state: Any = None  # what `setup` returned, in this worker process


def _start(setup: Callable[..., Any], args: tuple[Any, ...]) -> None:
    global _state
    _state = setup(*args)


def _run(work: Callable[[Any, Chunk], R], chunk: Chunk) -> R:
    return work(_state, chunk)
