# Each target makes sure .venv is made by a supported Python (scripts/pick-python: $PY, else
# python3 when it is 3.11/3.12, else python3.12, python3.11) from this pyproject.toml, and
# makes it again from scratch when either changed (scripts/venv, scripts/venv-stamp).
export PY ?=
VENV ?= .venv
BIN := $(VENV)/bin

# What each use installs: the service alone, or everything the tests need. `audit` brings
# pm4py (large: numpy, pandas...) so that the process-mining export is read back in the tests.
.PHONY: install serve test lint bench mermaid axe demo venv-serve venv-dev
venv-serve:
	@scripts/venv $(VENV) serve
venv-dev:
	@scripts/venv $(VENV) dev,audit

install: venv-dev

serve: venv-serve mermaid
	$(BIN)/sop serve --dev

# Loads a few hundred tickets into ./data (refuses a database that holds tickets).
demo: venv-serve
	$(BIN)/sop demo --data-dir data
	@echo "now run: make serve"

# What CI runs. The local PostgreSQL is used when it answers; the plan of the test groups
# (tests/support/groups.py: what runs, what is skipped and why) is printed before the tests.
test: venv-dev mermaid axe
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy engine api
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture engine api --min-confidence 80
	$(BIN)/sop check sop/ tests/sops/sop/
	eval "$$($(BIN)/python -m tests.support.groups --env)" && \
	  $(BIN)/python -m tests.support.groups && $(BIN)/pytest -q

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/mypy engine api
	$(BIN)/lint-imports --no-cache

# The SOP page's diagram script, from the npm registry (api/web/fetch-mermaid.sh says why).
mermaid:
	bash api/web/fetch-mermaid.sh

# axe-core, injected into the pages by tests/browser/test_accessibility.py (tests only; from
# the npm registry, pinned: tests/support/fetch-axe.sh).
axe:
	bash tests/support/fetch-axe.sh

bench: venv-dev
	for f in bench/bench_*.py; do $(BIN)/python $$f; done
