# One runner for humans and CI. Every target sets up what it needs on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup lint typecheck test demo bench docs clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,bench,serve,postgres]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy

# PostgreSQL tests run against LEADCHASE_TEST_POSTGRES_URL if set, else against a fresh database
# on the throwaway server scripts/postgres.sh starts (where the PostgreSQL binaries exist).
test: lint typecheck
	@url="$${LEADCHASE_TEST_POSTGRES_URL:-$$(bash scripts/postgres.sh)}"; \
	echo "LEADCHASE_TEST_POSTGRES_URL=$$url $(BIN)/pytest"; \
	LEADCHASE_TEST_POSTGRES_URL="$$url" $(BIN)/pytest

demo: setup
	@bash scripts/demo.sh $(BIN)/leadchase

bench: setup
	$(BIN)/python benchmarks/run.py

docs: setup
	$(BIN)/python -m leadchase.cli.reference > docs/cli.md

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
