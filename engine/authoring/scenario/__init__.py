"""Scenario tests for SOP authors: YAML files beside each revision (docs/scenarios.md).

    load_scenario_file(path) -> ScenarioFile          parse.py: the format, located problems
    check_scenarios(spec, scenario_file) -> [Problem] check.py: names against a revision
    run_scenario(rev, scenario) -> ScenarioResult     run.py: drive the pure core, compare
    collect(specs) / run_suite(specs)                 suite.py: files beside each revision
    simulate(rev, given, steps) -> Simulation         simulate.py: one ticket's timeline

`rev` is a compiled revision (`engine.core.compile_revision(spec)`): compile once, run many.

Nothing here names an SOP's steps, actors or fields: everything comes from the files.
"""

from engine.authoring.scenario.check import check_scenarios
from engine.authoring.scenario.parse import (
    load_scenario_file,
    load_simulation_file,
    parse_scenario_text,
)
from engine.authoring.scenario.run import Failure, ScenarioResult, run_file, run_scenario
from engine.authoring.scenario.simulate import Simulation, simulate
from engine.authoring.scenario.suite import Case, SuiteResult, collect, run_suite, scenario_files

__all__ = [
    "Case",
    "Failure",
    "ScenarioResult",
    "Simulation",
    "SuiteResult",
    "check_scenarios",
    "collect",
    "load_scenario_file",
    "load_simulation_file",
    "parse_scenario_text",
    "run_file",
    "run_scenario",
    "run_suite",
    "scenario_files",
    "simulate",
]
