"""A revision ready to run: its Spec with the transitions Machine and the registered rules
built from it, made together once.

    rev = compile_revision(spec)      build the Machine, compile and register the rules
    apply(rev, ticket, event, now)    every entry point of the core takes the compiled revision

There is no cache behind this: whoever says which revision governs a ticket holds its compiled
form (the store's `SpecResolver` keeps one per content hash; a scenario session or a replay
compiles the revision it runs). Compiling costs about a millisecond and, for a revision with
rules, a durable_rules ruleset that lives as long as the process: compile a revision once and
keep it, do not compile per event or per ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from transitions import Machine

from engine.core.machine import build_machine
from engine.core.rules_engine import RulesEngine
from engine.spec.model import Spec


@dataclass(frozen=True, eq=False)
class CompiledRevision:
    """One revision's Spec and what runs it. Compared by identity: two compilations of one
    Spec are two rulesets."""

    spec: Spec
    machine: Machine
    rules: RulesEngine

    @property
    def content_hash(self) -> str:
        return self.spec.content_hash


def compile_revision(spec: Spec) -> CompiledRevision:
    """Build what runs `spec`; raises SopInvalid or RulesError when its rules cannot be run."""
    return CompiledRevision(spec, build_machine(spec), RulesEngine.build(spec))
