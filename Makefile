# Kompetence: the two commands that matter are `make demo` and `make test`.
# Every target installs what it needs first, so both work on a fresh clone.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# `make test-pg` uses these; CI sets them the same way.
PG_URL ?= postgres://postgres@127.0.0.1:5432/kompetence
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# `make bench` builds its 45,000-person kommune here (once; BENCH_ARGS="--reset" rebuilds).
BENCH_DB_URL ?= postgres://postgres@127.0.0.1:5432/kompetence_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/11
BENCH_ARGS ?=
# `make bench-national` builds all 98 kommuner (500,000 people) here, with its own Redis
# database so no cache entry of the single-kommune run (same ids) serves the national one;
# NATIONAL_OUT keeps the runs' figures; BENCH_RUN_ARGS go to both runs (e.g. --port 8766).
NATIONAL_DB_URL ?= postgres://postgres@127.0.0.1:5432/kompetence_national
NATIONAL_REDIS_URL ?= redis://127.0.0.1:6379/12
NATIONAL_OUT ?= var/bench-national
BENCH_RUN_ARGS ?=

# Debian packages: WeasyPrint's Pango and fonts, gettext for translations (runtime);
# Chromium and pdftotext for the browser and PDF tests.
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 gettext xmlsec1
TEST_DEBS := chromium poppler-utils

.PHONY: demo test test-pg install install-dev system-deps system-deps-test messages messages-update static \
	migrate seed run lint format bench bench-national security clean

$(BIN)/activate:
	"$$(scripts/find-python)" -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -qq -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -qq -e ".[dev]"
	touch $(VENV)/.installed $@

# The real OpenID provider the SSO tests start (Node.js 20+, packages from the lockfile).
OIDC_PROVIDER := tests/oidc_provider
$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	@command -v npm >/dev/null || { echo "The SSO tests need Node.js 20+ with npm." >&2; exit 1; }
	npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error

# The real SAML identity provider the SAML login tests start (samlify, Node.js 20+).
SAML_IDP := tests/saml_idp
$(SAML_IDP)/node_modules/.package-lock.json: $(SAML_IDP)/package-lock.json
	@command -v npm >/dev/null || { echo "The SAML tests need Node.js 20+ with npm." >&2; exit 1; }
	npm ci --prefix $(SAML_IDP) --no-audit --no-fund --loglevel=error

install: system-deps $(VENV)/.installed messages

install-dev: system-deps system-deps-test $(VENV)/.installed-dev $(OIDC_PROVIDER)/node_modules/.package-lock.json $(SAML_IDP)/node_modules/.package-lock.json messages

system-deps:
	@scripts/apt-ensure $(RUNTIME_DEBS)

system-deps-test:
	@scripts/apt-ensure $(TEST_DEBS)

messages: $(VENV)/.installed
	@$(PY) manage.py compilemessages --ignore=.venv -v 0

# After adding texts: update the English catalogue, then translate the empty msgstrs.
messages-update: $(VENV)/.installed
	$(PY) manage.py makemessages -l en --no-location --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=docs

static: $(VENV)/.installed
	@$(PY) manage.py collectstatic --noinput -v 0

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

demo: seed
	@$(PY) manage.py demo_banner --port $(PORT)
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite on the embedded database; the PostgreSQL/worker tests are
# deselected here and run in `make test-pg` (CI runs both).
test: install-dev
	$(BIN)/pytest -n 2 -m "not postgres" $(PYTEST_ARGS)

test-pg: install-dev
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

# København scale against PostgreSQL and Redis with gunicorn serving: prints every
# scenario's median, p95, query count, floors and ratio; docs/benchmarks.md records a run.
bench: install
	@scripts/ensure-database "$(BENCH_DB_URL)"
	DATABASE_URL=$(BENCH_DB_URL) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_DB_URL) $(PY) manage.py bench_data $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_DB_URL) REDIS_URL=$(BENCH_REDIS_URL) $(PY) manage.py bench_run

# Every kommune on one deployment: the page scenarios for København in its own database
# and among all 98 kommuner, back to back (so the machine's drift is the same for both),
# then each p95 beside the other, with the national database's size and build time.
# gunicorn logs in as the application's own role, behind row-level security (bench_run).
# The first run builds both databases (the national one: about an hour and 12 GB on the
# loaded 2-core machine, see docs/benchmarks.md); it resumes where an interrupted build
# stopped, and later runs find them built and only measure.
bench-national: install
	@scripts/ensure-database "$(BENCH_DB_URL)"
	@scripts/ensure-database "$(NATIONAL_DB_URL)"
	@mkdir -p $(NATIONAL_OUT)
	DATABASE_URL=$(BENCH_DB_URL) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(BENCH_DB_URL) $(PY) manage.py bench_data
	DATABASE_URL=$(NATIONAL_DB_URL) $(PY) manage.py migrate --noinput -v 0
	DATABASE_URL=$(NATIONAL_DB_URL) $(PY) manage.py bench_national --json $(NATIONAL_OUT)/build.json
	DATABASE_URL=$(BENCH_DB_URL) REDIS_URL=$(BENCH_REDIS_URL) \
	  $(PY) manage.py bench_run --pages-only --json $(NATIONAL_OUT)/single.json $(BENCH_RUN_ARGS)
	DATABASE_URL=$(NATIONAL_DB_URL) REDIS_URL=$(NATIONAL_REDIS_URL) \
	  $(PY) manage.py bench_run --pages-only --json $(NATIONAL_OUT)/national.json $(BENCH_RUN_ARGS)
	$(PY) manage.py bench_compare $(NATIONAL_OUT)/single.json $(NATIONAL_OUT)/national.json \
	  --build $(NATIONAL_OUT)/build.json --markdown $(NATIONAL_OUT)/comparison.md

# Security checks CI runs: Django's deployment check with the production settings and
# known vulnerabilities in the dependencies (`make lint` runs ruff's security rules, S:
# bandit's checks).
security: install-dev
	DJANGO_SETTINGS_MODULE=kompetence.settings.production SECRET_KEY=ci-$$(date +%s)-k2Jx9pQ7vR4tY1uW8zA3bC6dE0fG5hI2jK7lM9nO \
	  DATABASE_URL=postgres://kompetence@db.internal:5432/kompetence REDIS_URL=redis://redis.internal:6379/0 \
	  ALLOWED_HOSTS=.kompetence.dk KOMPETENCE_DOMAIN=kompetence.dk CSRF_TRUSTED_ORIGINS=https://*.kompetence.dk \
	  $(PY) manage.py check --deploy --fail-level WARNING
	$(PY) scripts/audit-dependencies

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache db.sqlite3
