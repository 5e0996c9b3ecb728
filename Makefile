# Each target makes its own virtual environment and installs the project into it.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

$(BIN)/sop: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(BIN)/sop

.PHONY: install serve test lint bench
install: $(BIN)/sop

serve: $(BIN)/sop
	$(BIN)/sop serve --dev

test: $(BIN)/sop
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(BIN)/sop
	$(BIN)/ruff check .
	$(BIN)/mypy engine

bench: $(BIN)/sop
	for f in bench/bench_*.py; do $(BIN)/python $$f; done
