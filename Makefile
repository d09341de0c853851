# todo_site: `make run` serves the site, `make test` runs every test.
# Both set up what they need: the venv, the packages, the project-local PostgreSQL
# (unless DATABASE_URL is set) and, for the browser tests, Debian's Chromium.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# `make run` is for local use: DEBUG on, so no SECRET_KEY is needed.
RUN_ENV := DEBUG=true
TEST_ENV := DJANGO_SETTINGS_MODULE=todo_site.settings_test

.PHONY: run test lint bench loadtest localdb-start localdb-stop system-packages clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

run: $(VENV)/.runtime
	@if [ -z "$$DATABASE_URL" ]; then $(RUN_ENV) $(PY) manage.py localdb start; fi
	$(RUN_ENV) $(PY) manage.py migrate --database admin
	$(RUN_ENV) $(PY) manage.py seed_demo
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# The local server is stopped afterwards only if this run started it.
test: $(VENV)/.dev system-packages
	@set -e; started=; \
	if [ -z "$$DATABASE_URL" ]; then \
	  $(TEST_ENV) $(PY) manage.py localdb status | grep -q '^running' || started=1; \
	  $(TEST_ENV) $(PY) manage.py localdb start; \
	fi; \
	stop_started() { if [ -n "$$started" ]; then $(TEST_ENV) $(PY) manage.py localdb stop; fi; }; \
	trap stop_started EXIT; \
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian packages the tests drive: Chromium (browser tests) and PgBouncer
# (RLS under transaction pooling). Installed only when missing and permitted.
SYSTEM_PACKAGES := chromium:/usr/bin/chromium pgbouncer:/usr/sbin/pgbouncer
system-packages:
	@missing=; for p in $(SYSTEM_PACKAGES); do \
	  [ -x "$${p#*:}" ] || missing="$$missing $${p%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "missing Debian packages:$$missing (install them as root: apt-get install$$missing)" >&2; exit 1; \
	  fi; \
	fi

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(TEST_ENV) $(PY) manage.py check
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# Scale runs, kept out of `make test`: latency per operation with 10,000 tasks
# for one user, and the query plans of the spec's patterns (bench/).
bench: $(VENV)/.dev
	@if [ -z "$$DATABASE_URL" ]; then $(TEST_ENV) $(PY) manage.py localdb start; fi
	TEST_DB_NAME=test_todo_bench $(PY) -m pytest bench -s -q -p no:cacheprovider

# 100 simulated users for 60 s against gunicorn (DEBUG off) on a free loopback port,
# then the same with PostgreSQL restarted mid-run; compares the database with what
# the server acknowledged (loadtest/run.py). Not part of `make test`.
loadtest: $(VENV)/.dev
	$(PY) -m loadtest $(LOADTEST_ARGS)

localdb-start: $(VENV)/.runtime
	$(RUN_ENV) $(PY) manage.py localdb start

localdb-stop: $(VENV)/.runtime
	$(RUN_ENV) $(PY) manage.py localdb stop

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
