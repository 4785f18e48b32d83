# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: install run serve test lint fuzz clean translations screenshots bench bench-quick bench-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

## Compiled catalogues (kb/translations/<locale>/LC_MESSAGES/messages.mo) are not committed:
## each is built from its .po here, again whenever the .po changes. Without them kb is Dutch only.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard kb/translations/*/LC_MESSAGES/messages.po))

%.mo: %.po | $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

install: $(STAMP) $(CATALOGUES)

## Update the catalogues (.po) from the sources: new Dutch msgids appear untranslated, gone ones
## are dropped, and it says how many are translated. Translate the new ones (empty msgstr);
## tests/test_i18n.py fails while any is missing or untranslated.
POT := $(VENV)/messages.pot
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* __pycache__ node_modules" \
		--project=kb --version=main --add-location=file --sort-output --no-wrap -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d kb/translations --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date --no-wrap
	$(BIN)/pybabel compile --statistics -d kb/translations

## Install, migrate, import content/, create demo accounts, serve on http://127.0.0.1:5000
run: install
	$(BIN)/flask --app kb db upgrade
	$(BIN)/kb demo
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - wsgi:app

## axe-core for the accessibility tests (package.json; needs npm). `touch`: make sees it newer
## than the lock file, so `npm ci` runs again only when package*.json change.
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

## Install and run the whole test suite (TEST_WORKERS processes; a test file stays in one)
TEST_WORKERS ?= 2
test: install $(AXE)
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

## Screenshots of the main pages at desktop and phone width into docs/screenshots/ (Chromium)
screenshots: install
	$(BIN)/python docs/screenshots.py

## Benchmarks (bench/README.md): every part at 1k, 10k and 100k documents (under 25 min on
## 2 cores) or at 1k and 10k with fewer requests; both write bench/results.md and
## bench/memory.png. They need wrk (Debian package) and PostgreSQL on 127.0.0.1:5432 (trust).
BENCH_STAMP := $(VENV)/.bench-$(shell cksum pyproject.toml | cut -d' ' -f1)
$(BENCH_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -e '.[test,bench]'
	rm -f $(VENV)/.bench-*
	touch $@

WRK := $(shell command -v wrk)
bench-deps: install $(BENCH_STAMP)
ifeq ($(WRK),)
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
	else echo "make bench needs wrk: sudo apt-get install wrk" >&2; exit 1; fi
endif

bench: bench-deps
	$(BIN)/python bench/run.py --sizes 1000,10000,100000 --out bench/results.md

bench-quick: bench-deps
	$(BIN)/python bench/run.py --sizes 1000,10000 --quick --out bench/results.md

clean:
	rm -rf $(VENV) .pytest_cache node_modules
