# Council: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app council
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench screenshots messages translations migrate lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# Compiled catalogs are built, not committed.
translations: $(VENV)/.installed
	@$(BIN)/pybabel compile -d translations --statistics 2>&1 | grep -v "^compiling"; test -f translations/cs/LC_MESSAGES/messages.mo

run: export COUNCIL_ENV ?= development
run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) demo-data
	@echo "Council is at http://$(HOST):$(PORT)/  (Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev translations
	$(BIN)/python bench/run.py

# Refresh the pictures README shows (needs Chromium).
screenshots: $(VENV)/.installed-dev translations
	COUNCIL_SCREENSHOT_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_screenshots.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r council -lll

# After changing user-visible text: extract it and update the three catalogs.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching
	$(BIN)/python tools/fill_english_catalog.py

clean:
	rm -rf $(VENV)
