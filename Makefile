# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run serve test lint fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## Install, migrate, import content/, create demo accounts, serve on http://127.0.0.1:5000
run: install
	$(BIN)/flask --app kb db upgrade
	$(BIN)/kb demo
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - wsgi:app

## Install and run the whole test suite (TEST_WORKERS processes; a test file stays in one)
TEST_WORKERS ?= 2
test: install
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=25

## Fuzz the API from its own OpenAPI document (schemathesis): FUZZ_EXAMPLES valid and invalid
## requests per operation and caller (anonymous, agent, editor, supervisor), a new seed each run
FUZZ_EXAMPLES ?= 100
fuzz: install
	KB_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz.py

## Lint: ruff's rules, ruff's formatting and the type checker (mypy, see pyproject.toml)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache
