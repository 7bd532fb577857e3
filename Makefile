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

# The web server's port (Procfile); settings build SITE_URL, the base of every emailed link, from it.
WEB_PORT ?= 8000
export WEB_PORT

## run: install, migrate, load the demo once, start web + worker + beat on http://127.0.0.1:$(WEB_PORT) (make run WEB_PORT=8001)
run: $(VENV)/.installed-run | var
	mkdir -p var/celery
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo "ConsentCast is starting on http://127.0.0.1:$(WEB_PORT) (web + worker + beat). Ctrl-C stops all three."
	$(BIN)/honcho start -f Procfile

## test: ruff, then the whole pytest suite (service tests skip without the service, fail with CI=true);
## then how many schemathesis cases ran (counted afresh in var/schemathesis-cases.txt): fewer than the schema has
## fails the whole run, and only informs when PYTEST_ARGS picks a part of the suite
test: $(VENV)/.installed-dev | var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	rm -f var/schemathesis-cases.txt
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)
	$(if $(PYTEST_ARGS),-)$(BIN)/python -m marketplace.tests.schemathesis_count

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

## screenshots: the README's screenshots (landing, /verify/<code>/ per verdict, roster at 375 px, counter-offer diff) from Chromium into docs/screenshots/
.PHONY: screenshots
screenshots: $(VENV)/.installed-dev | var
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest -n0 -p no:cacheprovider tests/e2e/test_screenshots.py tests/e2e/test_terms_diff_journey.py

clean:
	rm -rf $(VENV) var

## pinyin-table: write actors/data/pinyin.json (pinyin of the GB 2312 characters for slugs) from pypinyin
.PHONY: pinyin-table
pinyin-table: $(VENV)/.installed-dev
	$(BIN)/python -m actors.data.make_pinyin_table

## bench-roster: the roster at 100k actors (throwaway database) and 1M (consentcast_bench_1m, seeded once, kept) on the PostgreSQL server of DATABASE_URL: per query type median and p99 execution, deep and tier-end pages, roster/trivial throughput; ends with one JSON line
.PHONY: bench-roster
bench-roster: $(VENV)/.installed-dev | var
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python benchmarks/roster.py $(BENCH_ARGS)

## bench-sweep: 100,000 due requests expired by the set-based sweep, against the old per-row loop (2,000 rows, extrapolated), in a throwaway PostgreSQL database (server of DATABASE_URL)
.PHONY: bench-sweep
bench-sweep: $(VENV)/.installed-dev | var
	$(BIN)/python benchmarks/sweep.py $(BENCH_ARGS)

## bench-dedup: near-duplicate photo lookups among 1,000,000 stored hashes (median, p99), in a throwaway PostgreSQL database (server of DATABASE_URL)
.PHONY: bench-dedup
bench-dedup: $(VENV)/.installed-dev | var
	$(BIN)/python benchmarks/dedup.py $(BENCH_ARGS)

## bench-watermark: the forensic watermark's attack table (50 generated photos + demo portraits), 10,000+ unmarked trials, 12 MP timing; exits 1 when a goal is missed
.PHONY: bench-watermark
bench-watermark: $(VENV)/.installed-dev | var
	$(BIN)/python benchmarks/watermark.py $(BENCH_ARGS)

## bench-email: a burst of 200 notifications committed back to back, one Celery worker (default concurrency) on Redis, a real SMTP server: p50/p95/max from commit to receipt; exits 1 when p95 reaches 2 s or an email is lost or doubled
.PHONY: bench-email
bench-email: $(VENV)/.installed-dev | var
	$(BIN)/python benchmarks/email_burst.py $(BENCH_ARGS)

## bench-images: peak memory (/usr/bin/time -v; apt-get install time) and time of sanitize_image and the rendition task on seeded 40 MP images, before and after; exits 1 when a step reaches 300 MB
.PHONY: bench-images
bench-images: $(VENV)/.installed-dev | var
	$(BIN)/python benchmarks/images.py $(BENCH_ARGS)

## bench-export: peak memory of a data export of 12 photos of 15 MB (own SQLite database and media in a temporary folder), against a warm worker's; ends with one JSON line
.PHONY: bench-export
bench-export: $(VENV)/.installed-dev | var
	$(BIN)/python benchmarks/export.py $(BENCH_ARGS)
