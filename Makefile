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

# The French catalog: extract marked strings into locale/fr/.../django.po, then compile
# the .mo (both committed). Needs Debian's gettext (apt-get install gettext).
MESSAGES_ARGS := -l fr --no-location --no-obsolete --ignore=.venv --ignore=staticfiles \
	--ignore=.localdb --ignore=bench --ignore='*/tests/*'

.PHONY: messages run test test-fast lint bench loadtest localdb-start localdb-stop system-packages clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(VENV)/bin/activate
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

# Ctrl-C stops the site and, if this run started it, the local PostgreSQL.
run: $(VENV)/.runtime
	@set -e; started=; \
	if [ -z "$$DATABASE_URL" ]; then \
	  $(RUN_ENV) $(PY) manage.py localdb status | grep -q '^running' || started=1; \
	  $(RUN_ENV) $(PY) manage.py localdb start; \
	fi; \
	finish() { \
	  if [ -n "$$started" ]; then echo "stopping the local PostgreSQL this run started"; \
	    $(RUN_ENV) $(PY) manage.py localdb stop; \
	  elif [ -z "$$DATABASE_URL" ]; then \
	    echo "the local PostgreSQL was already running and keeps running (stop it: make localdb-stop)"; \
	  fi; \
	}; \
	trap finish EXIT; trap 'exit 0' INT TERM; \
	$(RUN_ENV) $(PY) manage.py migrate --database admin; \
	$(RUN_ENV) $(PY) manage.py seed_demo; \
	echo; \
	echo "todo_site on http://$(HOST):$(PORT)/  (demo account: test@example.com / demo-password-123)"; \
	echo "E-mails (sign-up verification, password reset) are printed in this terminal, not sent."; \
	echo "Admin: http://$(HOST):$(PORT)/admin/ with a staff account; create one (once) with:"; \
	echo "  DEBUG=true $(PY) manage.py createsuperuser"; \
	echo "Ctrl-C stops the site$${started:+ and the local PostgreSQL}."; \
	echo; \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Runs pytest with the arguments $(1), then with $(2) if given, starting the
# project-local PostgreSQL unless DATABASE_URL is set; it is stopped afterwards
# only if this run started it. A run that selects no test (exit 5: a path whose
# tests all belong to the other run) is not a failure.
define pytest_with_localdb
	@set -e; started=; \
	if [ -z "$$DATABASE_URL" ]; then \
	  $(PY) manage.py localdb status | grep -q '^running' || started=1; \
	  $(PY) manage.py localdb start; \
	fi; \
	stop_started() { if [ -n "$$started" ]; then $(PY) manage.py localdb stop; fi; }; \
	trap stop_started EXIT; \
	run_pytest() { $(PY) -m pytest "$$@" || [ $$? -eq 5 ]; }; \
	run_pytest $(1); \
	$(if $(2),run_pytest $(2))
endef

# Everything, in two runs: what can run side by side in two processes (pytest-xdist,
# a test database each), then the browser, PgBouncer and cluster-wide tests one at
# a time (one Chromium, one PgBouncer, a role's settings changed for the cluster).
SIDE_BY_SIDE := -m "not browser and not pgbouncer and not serial" -n 2
ONE_AT_A_TIME := -m "browser or pgbouncer or serial"
test: $(VENV)/.dev system-packages
	$(call pytest_with_localdb,$(SIDE_BY_SIDE) $(PYTEST_ARGS),$(ONE_AT_A_TIME) $(PYTEST_ARGS))

# The edit-test loop: everything but the browser, PgBouncer, slow and serial tests,
# in two processes with a test database each.
FAST := -m "not browser and not pgbouncer and not slow and not serial" -n 2
test-fast: $(VENV)/.dev
	$(call pytest_with_localdb,$(FAST) $(PYTEST_ARGS))

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

# Scale runs, kept out of `make test`: every list view and action under load with
# wrk, side by side with a bare page, and their query plans (bench/run.py).
# `make bench` is quick; `SCALE=large make bench` builds the 10-million-task database.
bench: $(VENV)/.dev
	@if ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian package: wrk"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null; \
	  else \
	    echo "missing Debian package: wrk (install it as root: apt-get install wrk)" >&2; exit 1; \
	  fi; \
	fi
	@if [ -z "$$DATABASE_URL" ]; then $(PY) manage.py localdb start; fi
	$(PY) -m bench.run
	TEST_DB_NAME=test_todo_bench $(PY) -m pytest bench/test_identity_cost.py -s -q -p no:cacheprovider

messages: $(VENV)/.dev
	$(TEST_ENV) $(PY) manage.py makemessages $(MESSAGES_ARGS)
	$(TEST_ENV) $(PY) manage.py compilemessages -l fr --ignore=.venv

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
