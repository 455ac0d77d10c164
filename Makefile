# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-test
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test check lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

$(DEVSTAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,dev]'
	touch $@

run: $(STAMP)  ## start qa-sim on the bundled scenarios with a local database
	$(BIN)/qa-sim $(ARGS)

test: $(STAMP)  ## the whole test suite
	$(BIN)/python -m pytest $(ARGS)

lint: $(DEVSTAMP)
	$(BIN)/ruff format --check qa_sim tests benchmarks
	$(BIN)/ruff check qa_sim tests benchmarks
	$(BIN)/mypy

check: lint test  ## format, lint, types and tests

bench: $(STAMP)
	for b in benchmarks/*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
