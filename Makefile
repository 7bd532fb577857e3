# ConsentCast: `make run` starts the portal, `make test` runs every test.
# Both need only Python 3.11 on the machine; everything else installs into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test lint format migrate seed messages benchmark clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

var:
	mkdir -p var

## run: install, migrate, load the demo once, start web + worker + beat on http://127.0.0.1:8000
run: $(VENV)/.installed-run | var
	mkdir -p var/celery
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "ConsentCast is starting on http://127.0.0.1:8000 (web + worker + beat). Ctrl-C stops all three."
	$(BIN)/honcho start -f Procfile

## test: ruff, then the whole pytest suite (service tests skip without the service, fail with CI=true)
test: $(VENV)/.installed-dev | var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

## lint: ruff, a check that every model change has its migration, and mypy (django-stubs)
lint: $(VENV)/.installed-dev | var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/mypy .

## layering: the import graph between the apps, and any import that points up a floor
.PHONY: layering
layering: $(VENV)/.installed-dev
	$(BIN)/python -m tests.layering --sizes

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: extract both catalogs again and compile them (needs GNU gettext)
messages: $(VENV)/.installed-dev
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var --ignore=static/vendor
	$(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var

## bench-roster: seed 100k actors into PostgreSQL once (DATABASE_URL, default consentcast_bench) and measure the roster
.PHONY: bench-roster
bench-roster: $(VENV)/.installed-dev | var
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python benchmarks/roster.py $(BENCH_ARGS)
