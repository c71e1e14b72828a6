# The commands a person types. `make run` and `make test` work from a fresh clone.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=on

.PHONY: run test install static system-deps migrate seed demo lint format migrations-check bench clean

run: install static migrate
	$(DEV_ENV) $(BIN)/python manage.py load_seed
	$(DEV_ENV) $(BIN)/python manage.py load_demo
	$(DEV_ENV) $(BIN)/python manage.py load_demo_risks
	$(DEV_ENV) $(BIN)/python manage.py load_demo_quality
	@# The pack worker runs beside the web server and stops when it does (Ctrl+C).
	$(DEV_ENV) $(BIN)/python manage.py db_worker --queue-name '*' & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Most tests run in parallel, one worker per core; those that start servers or load the machine
# (load, benchmarks, backups) run after, alone, so their timings are not squeezed.
TEST_ENV := SECRET_KEY=insecure-test-only-key DEBUG=off STATIC_MANIFEST=off

test: install static system-deps
	$(TEST_ENV) $(BIN)/pytest -n auto -m "not serial"
	$(TEST_ENV) $(BIN)/pytest -m serial

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

static/build/.built: node_modules/.installed $(wildcard static/src/*) scripts/build-static.mjs
	npm run build
	touch $@

static: static/build/.built

# Browser tests drive Debian's chromium; PDFs need pango; bench/pages.py needs wrk. Installed
# only when missing.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/wrk ] || ! ldconfig -p | grep -q libpangoft2 || ! fc-list | grep -q 'Liberation Sans'; then \
		apt-get update -qq && apt-get install -y -qq chromium fonts-liberation libpango-1.0-0 libpangoft2-1.0-0 poppler-utils wrk; \
	fi

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: install
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules static/build var
