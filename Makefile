# Ledger — common tasks. `make run` sets everything up on a fresh Debian machine.

SHELL       := /bin/bash
VENV        := .venv
PYTHON      := $(VENV)/bin/python
UV          := $(VENV)/bin/uv
LEDGER      := $(VENV)/bin/ledger
DEPS_STAMP  := $(VENV)/.deps-stamp
NODE_STAMP  := node_modules/.deps-stamp
HOST        ?= 127.0.0.1
PORT        ?= 5000
PYTEST_ARGS ?=
# pytest-xdist processes for `make test` (auto: one per core; 0: in the make process)
TEST_WORKERS ?= auto

.PHONY: deps system-deps bytecode fonts lock db key demo run test bench bench-all bench-national bench-small bench-import bench-http doctor translations

## deps: system packages, the virtualenv, the locked Python dependencies, the document font and
## the web UI's front-end packages (npm ci from package-lock.json, served by the app: no CDN),
## and the bytecode of every module
deps: system-deps $(DEPS_STAMP) fonts $(NODE_STAMP) bytecode

system-deps:
	bash scripts/install-system-deps.sh

$(PYTHON): | system-deps
	python3 -m venv $(VENV)

$(UV): | $(PYTHON)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv

$(DEPS_STAMP): requirements.lock pyproject.toml | $(UV)
	$(UV) pip install --python $(PYTHON) -r requirements.lock
	$(UV) pip install --python $(PYTHON) --no-deps -e .
	@# a dependency added to pyproject.toml but missing from the lock fails here, not in the tests
	$(UV) pip check --python $(PYTHON) || { echo "requirements.lock does not satisfy pyproject.toml: run make lock" >&2; exit 1; }
	$(PYTHON) -m compileall -q -j 0 "$$($(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
	touch $@

## fonts: cut Noto Serif CJK SC and the Fandol 仿宋 and bold 宋 faces to GB 2312 for the PDF
## documents, into var/fonts/ (outside git; LEDGER_FONTS_DIR elsewhere). Quick when current;
## a few minutes the first time.
fonts: $(DEPS_STAMP)
	$(PYTHON) -m ledger.fonts

## bytecode: the project's .pyc files (the dependencies' are compiled at install, above). Python
## writes them itself on first import, but not where PYTHONDONTWRITEBYTECODE is set (as on some
## servers): then every start would compile every module, 2.4 s instead of 0.9. Quick when current.
bytecode: $(DEPS_STAMP)
	$(PYTHON) -m compileall -q -j 0 ledger migrations wsgi.py

$(NODE_STAMP): package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund
	touch $@

## lock: regenerate requirements.lock from pyproject.toml
lock: | $(UV)
	$(UV) pip compile pyproject.toml --extra test -o requirements.lock

## db: migrate the database (LEDGER_DATABASE_URL, default instance/ledger.sqlite3)
db: deps
	$(LEDGER) db upgrade

## key: the development key that signs checkpoints (instance/signing-key.pem), made once
SIGNING_KEY := instance/signing-key.pem
key: $(SIGNING_KEY)
$(SIGNING_KEY): | deps
	$(LEDGER) keys create $@

## demo: load the demo province (idempotent) and print the demo logins
demo: db key
	$(LEDGER) demo

## run: set up, migrate, load the demo and serve http://$(HOST):$(PORT)
run: deps db demo
	$(LEDGER) run --host $(HOST) --port $(PORT)

## test: run every test (PostgreSQL tests when LEDGER_TEST_POSTGRES_URL is set)
test: deps
	bash scripts/ensure-redis.sh
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## bench: the province at scale (30 regions, 2,000 projects, 300 agreements, 3 years; seeded),
## loaded through the bulk path, each measure beside its floor; SQLite, and PostgreSQL with
## LEDGER_BENCH_POSTGRES_URL (a disposable database). Writes benchmarks/RESULTS.md. Then the
## printed documents (the filing form's time and size targets), and the start of the app.
bench: deps
	$(PYTHON) -m benchmarks.scale province
	$(PYTHON) -m benchmarks.documents
	$(PYTHON) -m benchmarks.start

## bench-national: the same for 3,000 regions, 50,000 projects, 5,000 agreements, 2 years
## (1.2 million reports). On a 2-core machine the first run builds the setup (11–45 min
## SQLite, 15–52 min PostgreSQL by the machine; kept in var/bench-setup), then the measures
## take 10–20 and 11–25 min
bench-national: deps
	$(PYTHON) -m benchmarks.scale national

## bench-small: the earlier small benchmark of the ledger (one report, attribution, verify)
bench-small: deps
	$(PYTHON) -m benchmarks

## bench-import: POST /api/v1/investments/import of a 10,000-row file on SQLite (and PostgreSQL
## with LEDGER_BENCH_POSTGRES_URL, a disposable database), A B A B with its floor (the driver's
## executemany of the same rows), and a profile. Writes benchmarks/IMPORT-RESULTS.md.
bench-import: deps
	$(PYTHON) -m benchmarks.imports --profile

## bench-http: gunicorn (4 workers) under 50 keep-alive clients for 60 s (GET /attribution,
## GET /agreements/{id}, PUT …/investments/{period}) and one PUT over HTTP beside the raw
## per-report floor; the PUT, GET /attribution and a repeat filing download each paired A B A B
## with a minimal floor app under the same gunicorn command line (wall and CPU); SQLite (DATABASE=postgres uses LEDGER_BENCH_POSTGRES_URL, a disposable
## database). Needs Redis (the login counters). Writes benchmarks/RESULTS.md.
DATABASE ?= sqlite
bench-http: deps
	bash scripts/ensure-redis.sh
	$(PYTHON) -m benchmarks.http_load --database $(DATABASE)

## bench-all: every benchmark above but the national one, in turn, so that all the sections of
## RESULTS.md and IMPORT-RESULTS.md come from one commit (each section names it); PostgreSQL too
## when LEDGER_BENCH_POSTGRES_URL is set (a disposable database). About 40 min on 2 cores.
bench-all: bench bench-import
	bash scripts/ensure-redis.sh
	$(PYTHON) -m benchmarks.http_load --database sqlite
	if [ -n "$$LEDGER_BENCH_POSTGRES_URL" ]; then $(PYTHON) -m benchmarks.http_load --database postgres; fi

## doctor: check system libraries, fonts and the database revision
doctor:
	$(LEDGER) doctor

## translations: extract the texts to translate, merge them into the catalog, compile it
translations: deps
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k _l --sort-output --no-location --project Ledger \
		-o ledger/translations/messages.pot .
	$(VENV)/bin/pybabel update -i ledger/translations/messages.pot -d ledger/translations \
		--no-fuzzy-matching --width 100
	$(VENV)/bin/pybabel compile -d ledger/translations
