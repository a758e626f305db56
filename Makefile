# Forslag: `make run` serves the demo, `make test` runs every test.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Test processes: the machine has 2 cores. Work stealing keeps both busy to the end.
WORKERS ?= 2

.PHONY: run test check install lock translations messages test-tools lint forms clean dist

# The worker runs beside the server and prints the mail it sends here (MAIL_URL=console).
run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo "Serving http://$(HOST):$(PORT)/ with the worker beside it (Ctrl-C stops both)"
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
		$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-test translations test-tools lint
	$(BIN)/python -m pytest -p xdist -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)

# The inner loop: lint, the import contract, and the domain, web and database tests on
# SQLite; not the tests that start gunicorn or Chromium, build a wheel, run a benchmark or
# sweep every form (make test runs those too).
check: $(VENV)/.installed-test translations test-tools lint
	$(BIN)/python -m pytest -p xdist -n $(WORKERS) --dist worksteal \
		-m "not once and not live and not sweep" $(PYTEST_ARGS)

install: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# What is installed is what the lock files name, every file checked against its hash
# (requirements.lock for the app, requirements-test.lock with the tests' tools); `make lock`
# writes them again from pyproject.toml's ranges. The app itself is installed editable,
# built with the locked setuptools and babel.
$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements.lock
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	@touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install -q --require-hashes -r requirements-test.lock
	@touch $@

LOCK := $(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links --build-deps-for=editable

lock: | $(BIN)/python
	$(BIN)/pip install -q pip-tools
	$(LOCK) --upgrade -o requirements.lock pyproject.toml
	$(LOCK) --upgrade --extra test -o requirements-test.lock pyproject.toml

# The Danish catalogue is compiled here, never committed. (`pip install .` and `make dist`
# compile it into the package themselves: setup.py.)
translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d app/translations

# Re-extract the message ids after changing UI text, then translate the new ones in
# app/translations/da/LC_MESSAGES/messages.po.
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l --no-location --sort-output \
		--project Forslag -o app/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching -i app/translations/messages.pot -d app/translations

# Chromium and wrk from Debian (when missing and we are root), axe-core and the Nu HTML Checker.
test-tools: tests/node_modules/.installed
	@bash tests/tools/install-debian-tools

tests/node_modules/.installed: tests/package.json
	cd tests && npm install --no-save --no-audit --no-fund --loglevel=error
	@touch $@

# ruff, bandit, and the import contract: each package imports only those below it
# (pyproject.toml, [tool.importlinter]).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/bandit --quiet --recursive --severity-level medium app
	$(BIN)/lint-imports --no-cache

# The forms the hostile sweep sends its values to, crawled again and written to
# tests/support/forms.json (committed; a test fails when it is out of date).
forms: $(VENV)/.installed-test translations
	$(BIN)/python -m tests.support.sweep

# A wheel to install elsewhere with `pip install dist/forslag-*.whl`: the compiled
# catalogue, templates, static files and migrations travel inside it.
dist: $(VENV)/.installed-test
	rm -rf build dist
	$(BIN)/python -m pip wheel -q --no-deps --no-build-isolation -w dist .

clean:
	rm -rf $(VENV) tests/node_modules .pytest_cache .ruff_cache build dist
