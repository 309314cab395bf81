# KIP service. `make run` starts the embedded service, `make test` runs the test suite.
# Everything runs from the virtualenv in .venv, installed from the lock file requirements/dev.txt
# (exact versions with hashes; `make lock` regenerates it) and reinstalled when it changes.

VENV    := .venv
PYTHON  := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PYTHON3 ?= python3

PORT ?= 8000
HOST ?= 127.0.0.1
export PORT HOST

.DEFAULT_GOAL := help
.PHONY: help venv lock run prepare test lint bench messages backup restore

help:
	@echo "make run                 start the embedded service (web + worker + beat) on PORT ($(PORT))"
	@echo "make test                run the whole test suite (set DATABASE_URL / REDIS_URL for services)"
	@echo "make lint                ruff check, ruff format --check, mypy"
	@echo "make bench NAME=plans    run bench/<NAME>.py (results in bench/RESULTS.md)"
	@echo "make backup              back up the database into KIP_BACKUP_DIR (default var/backups)"
	@echo "make restore FILE=...    restore a backup into the (empty) database, verify it (FORCE=1: not empty)"
	@echo "make messages            extract Danish strings into locale/da and compile the catalogue"
	@echo "make venv                create .venv and install the locked dependencies and the project"
	@echo "make lock                regenerate requirements/*.txt from pyproject.toml (UPGRADE=1: newest)"

$(PYTHON):
	$(PYTHON3) -m venv $(VENV)

# Only what the lock names, each file checked against its hash; then the project itself, built
# with the locked setuptools (no build isolation: nothing unpinned is fetched), and
# pip check (a dependency added to pyproject.toml but not locked fails here: run make lock).
$(STAMP): requirements/dev.txt requirements/base.txt pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PYTHON) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PYTHON) -m pip check
	@touch $(STAMP)

venv: $(STAMP)

# The lock files, from PyPI alone (no local pip configuration): dev.txt has the dev extras,
# base.txt only what the service runs (the Dockerfile installs it); both with the build
# backend (setuptools) the project is built with. base.txt starts from dev.txt's pins, so both
# name the same versions. Pins are kept unless UPGRADE=1.
LOCK_ENV := PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= CUSTOM_COMPILE_COMMAND="make lock"
LOCK     := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	$(if $(UPGRADE),--upgrade)
lock: | $(PYTHON)
	test -x $(VENV)/bin/pip-compile || $(PYTHON) -m pip install --quiet pip-tools
	env $(LOCK_ENV) $(LOCK) --extra dev --build-deps-for editable -o requirements/dev.txt \
		pyproject.toml
	cp requirements/dev.txt requirements/base.txt
	env $(LOCK_ENV) $(LOCK) --build-deps-for wheel -o requirements/base.txt pyproject.toml

# Embedded mode: SQLite file and filesystem broker under KIP_VAR_DIR (default ./var).
# DEBUG stays off (KIP_DEBUG=1 for development); the demo data is what embedded mode is for,
# so seed_demo is told so with --force.
prepare: $(STAMP)
	$(PYTHON) manage.py migrate --noinput
	$(PYTHON) manage.py seed_demo --force
	$(PYTHON) manage.py collectstatic --noinput --verbosity 0

run: prepare
	$(PYTHON) bin/kip-run

# DATABASE_URL, REDIS_URL and KIP_REQUIRE_SERVICES pass through from the environment.
# In parallel (pytest-xdist), one process per core up to four (TEST_WORKERS=0: one process);
# the tests that start real processes or stop Redis share one of them (tests/conftest.py).
TEST_WORKERS ?= auto
test: $(STAMP)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --maxprocesses=4 --dist loadgroup $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check . bin/kip-run bin/docker-entrypoint
	$(VENV)/bin/ruff format --check . bin/kip-run bin/docker-entrypoint
	$(VENV)/bin/mypy .

# The same extraction tests/test_translations.py checks against; then compile the .mo file.
messages: $(STAMP)
	$(PYTHON) manage.py makemessages -l da --no-obsolete --no-location \
		--ignore=var --ignore=bench --ignore=tests --ignore=node_modules --ignore=build
	$(PYTHON) manage.py compilemessages -l da --ignore=.venv --ignore=var --ignore=node_modules

bench: $(STAMP)
	@test -n "$(NAME)" || { echo "usage: make bench NAME=<module in bench/, e.g. plans>"; exit 2; }
	$(PYTHON) -m bench.$(NAME)

# The database of the settings (DATABASE_URL, else the embedded SQLite file): pg_dump/pg_restore
# on PostgreSQL, SQLite's backup API on SQLite (apps/core/backup.py). Stop the service before a
# restore; it refuses a database that has tables unless FORCE=1.
backup: $(STAMP)
	$(PYTHON) manage.py kip_backup

restore: $(STAMP)
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/kip-<time>.dump|.sqlite3 [FORCE=1]"; exit 2; }
	$(PYTHON) manage.py kip_restore $(if $(FORCE),--force) "$(FILE)"
