# Vigie: `make run` to try it, `make test` to test it. Everything lands in .venv/ in this folder.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MO := locale/fr/LC_MESSAGES/django.mo
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint format messages bench lock manage

install: $(STAMP) $(MO)

# Development installs production's pins and the tools (tests, linters, browser driver), every one hashed.
$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/dev.txt
	touch $(STAMP)

# The French catalogue is compiled in the build, never committed (Babel: no gettext binaries needed).
$(MO): locale/fr/LC_MESSAGES/django.po $(STAMP)
	$(VENV)/bin/pybabel --quiet compile --statistics -d locale -D django -l fr

# The demo asks nobody for a second factor: OTP_REQUIRED_ROLES is empty unless given on the command line or in the
# environment, e.g. `make run OTP_REQUIRED_ROLES=admin,gbv_focal_point` (production's default when unset).
OTP_REQUIRED_ROLES ?=
DEMO_ENV = DEBUG=1 DATABASE_URL= REDIS_URL= OTP_REQUIRED_ROLES="$(OTP_REQUIRED_ROLES)"

# SQLite and in-process tasks, whatever the shell's environment says; demo data and logins printed.
run: install
	$(DEMO_ENV) $(PY) manage.py migrate --no-input
	$(DEMO_ENV) $(PY) manage.py load_demo
	@if [ -n "$(OTP_REQUIRED_ROLES)" ]; then \
	  echo "Second factor: required of $(OTP_REQUIRED_ROLES) (OTP_REQUIRED_ROLES); they set up an authenticator app at their first sign-in."; \
	else \
	  echo "Second factor: off for this demo (OTP_REQUIRED_ROLES is empty). To ask it of admins and GBV focal points:"; \
	  echo "               make run OTP_REQUIRED_ROLES=admin,gbv_focal_point"; \
	fi
	@echo "Vigie is starting on http://$(HOST)/ (Ctrl-C to stop)"
	$(DEMO_ENV) $(PY) manage.py runserver $(HOST)

# A management command on the demo's database, as `make run` sets it up: make manage ARGS="adduser alice --role admin"
manage: install
	$(DEMO_ENV) $(PY) manage.py $(ARGS)

# With CI=true the suite runs on the PostgreSQL and Redis that .ci/run prepared, and refuses to fall back.
# Elsewhere, tests that need PostgreSQL or a real Celery worker are deselected by marker (CI runs them).
LOCAL_MARKERS := not worker and not postgres
test: install
	@scripts/ensure-debian-tools
ifeq ($(CI),true)
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "CI=true needs DATABASE_URL=postgres://… (see .ci/run)"; exit 1;; esac
	@test -n "$$REDIS_URL" || (echo "CI=true needs REDIS_URL (see .ci/run)"; exit 1)
	$(PY) -m pytest $(PYTEST_ARGS)
else
	@echo "make test: tests marked 'worker' or 'postgres' need PostgreSQL, Redis and a real Celery worker;"
	@echo "           they are deselected here (-m \"$(LOCAL_MARKERS)\") and run in CI (bash .ci/run)."
	DATABASE_URL= REDIS_URL= $(PY) -m pytest -m "$(LOCAL_MARKERS)" $(PYTEST_ARGS)
endif

# Ruff (rule families in pyproject.toml), formatting, mypy with django-stubs (strict for core/), Django's checks.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(VENV)/bin/mypy
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the French catalogue after changing user-facing strings (then translate the new entries).
messages: install
	DEBUG=1 $(PY) manage.py makemessages --locale fr --ignore=.venv --ignore=staticfiles --no-obsolete

# Issue 14's table on PostgreSQL (DATABASE_URL's server, database <name>_bench, dropped and loaded again; or
# BENCH_DATABASE_URL), appended to bench/RESULTS.md. `make bench INCIDENTS=20000` for a quick run (see README).
INCIDENTS ?= 1000000
bench: install
	REDIS_URL= $(PY) -m bench --incidents $(INCIDENTS) $(BENCH_ARGS)

# Re-resolve requirements/*.in into hashed locks (uv, in a throwaway venv). Existing pins are kept unless
# `make lock UPGRADE=--upgrade`.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet uv
	cd requirements && ../.venv-lock/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 $(UPGRADE) base.in -o base.txt
	cd requirements && ../.venv-lock/bin/uv pip compile --quiet --generate-hashes --python-version 3.11 $(UPGRADE) dev.in -o dev.txt
	rm -rf .venv-lock
