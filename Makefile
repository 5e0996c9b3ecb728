# Each target makes its own virtual environment (.venv) and installs the project into it.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# What each use installs: the service alone, or everything the tests need. `audit` brings
# pm4py (large: numpy, pandas...) so that the process-mining export is read back in the tests.
$(VENV)/.installed-%: pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[$*]'
	touch $@

.PHONY: install serve test lint bench mermaid
install: $(VENV)/.installed-dev,audit

serve: $(VENV)/.installed-serve mermaid
	$(BIN)/sop serve --dev

test: $(VENV)/.installed-dev,audit mermaid
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy engine api
	$(BIN)/lint-imports --no-cache
	$(BIN)/vulture engine api --min-confidence 80
	$(BIN)/sop check sop/ tests/sops/sop/
	$(BIN)/pytest -q

lint: $(VENV)/.installed-dev,audit
	$(BIN)/ruff check .
	$(BIN)/mypy engine api
	$(BIN)/lint-imports --no-cache

# The SOP page's diagram script, from the npm registry (api/web/fetch-mermaid.sh says why).
mermaid:
	bash api/web/fetch-mermaid.sh

bench: $(VENV)/.installed-dev,audit
	for f in bench/bench_*.py; do $(BIN)/python $$f; done
