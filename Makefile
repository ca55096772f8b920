# Vigie: `make run` to try it, `make test` to test it. Everything lands in .venv/ in this folder.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MO := locale/fr/LC_MESSAGES/django.mo
HOST ?= 127.0.0.1:8000

.PHONY: install run test lint format messages bench lock

install: $(STAMP) $(MO)

$(STAMP): requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $(STAMP)

# The French catalogue is compiled in the build, never committed.
$(MO): locale/fr/LC_MESSAGES/django.po $(STAMP)
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --verbosity 0

# SQLite and in-process tasks, whatever the shell's environment says; demo data and logins printed.
run: install
	DEBUG=1 DATABASE_URL= REDIS_URL= $(PY) manage.py migrate --no-input
	DEBUG=1 DATABASE_URL= REDIS_URL= $(PY) manage.py load_demo
	@echo "Vigie is starting on http://$(HOST)/ (Ctrl-C to stop)"
	DEBUG=1 DATABASE_URL= REDIS_URL= $(PY) manage.py runserver $(HOST)

# With CI=true the suite runs on the PostgreSQL and Redis that .ci/run prepared, and refuses to fall back.
test: install
ifeq ($(CI),true)
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "CI=true needs DATABASE_URL=postgres://… (see .ci/run)"; exit 1;; esac
	@test -n "$$REDIS_URL" || (echo "CI=true needs REDIS_URL (see .ci/run)"; exit 1)
	$(PY) -m pytest $(PYTEST_ARGS)
else
	DATABASE_URL= REDIS_URL= $(PY) -m pytest $(PYTEST_ARGS)
endif

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the French catalogue after changing user-facing strings (then translate the new entries).
messages: install
	DEBUG=1 $(PY) manage.py makemessages --locale fr --ignore=.venv --ignore=staticfiles --no-obsolete

bench: install
	DATABASE_URL= REDIS_URL= $(PY) -m bench

# Re-resolve requirements.in into the lock file.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^pkg-resources' > requirements.lock
	rm -rf .venv-lock
