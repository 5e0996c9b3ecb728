"""What a command that may spread over processes did: the progress bars it drew and the chunks
it handed to worker processes (engine.app.processes.run_chunks, as `module` imported it)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import click
import pytest

__all__ = ["spy_chunks"]


def spy_chunks(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> dict[str, list[Any]]:
    """{"bars": [the progress bars], "chunks": [(jobs, chunks planned) per run]}."""
    seen: dict[str, list[Any]] = {"bars": [], "chunks": []}
    bar, run = click.progressbar, module.run_chunks

    def progressbar(*args: Any, **kwargs: Any) -> Any:
        seen["bars"].append(bar(*args, **kwargs))
        return seen["bars"][-1]

    def run_chunks(processes: Any, setup: Any, args: Any, work: Any, planned: Any, *rest: Any):
        seen["chunks"].append((processes.jobs, len(planned)))
        return run(processes, setup, args, work, planned, *rest)

    monkeypatch.setattr(click, "progressbar", progressbar)
    monkeypatch.setattr(module, "run_chunks", run_chunks)
    return seen
