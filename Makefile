# Two commands on a fresh machine: `make run` (the bot) and `make test` (the tests).
# Each creates the virtual environment it needs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint messages emulator migrate playground

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

run: $(BIN)/.installed
	$(BIN)/panelbot run

# Three tests at a time (TEST_WORKERS=1 for one): most of a test's time is spent waiting on the
# emulator and the bot, so three share two cores well (the suite took 17-21 minutes one at a time).
test: $(BIN)/.installed
	$(BIN)/python -m pytest -n $(or $(TEST_WORKERS),3)

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

migrate: $(BIN)/.installed
	$(BIN)/panelbot migrate

# The real bot and a phone-like chat page on http://127.0.0.1:8080/: no token, no internet.
playground: $(BIN)/.installed
	$(BIN)/panelbot playground --port $(or $(PORT),8080)

emulator: $(BIN)/.installed
	$(BIN)/panelbot emulator --port 8081

# Re-extract every message from the code and merge it into each language's catalogue.
messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k NP_:1,2 -k t -k ngettext:1,2 -k pgettext:1c,2 -k P_:1c,2 \
		--no-location --sort-output --omit-header -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching \
		--ignore-obsolete
