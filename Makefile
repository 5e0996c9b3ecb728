# Each target makes its own virtual environment and installs the project into it.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/sop: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/sop

.PHONY: install serve test lint bench mermaid
install: $(BIN)/sop

serve: $(BIN)/sop mermaid
	$(BIN)/sop serve --dev

test: $(BIN)/sop mermaid
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(BIN)/sop
	$(BIN)/ruff check .
	$(BIN)/mypy engine

# The SOP page's diagram script, from the npm registry (api/web/fetch-mermaid.sh says why).
mermaid:
	bash api/web/fetch-mermaid.sh

bench: $(BIN)/sop
	for f in bench/bench_*.py; do $(BIN)/python $$f; done
