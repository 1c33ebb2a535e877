# Quick start: `make serve` (install, build, serve on http://127.0.0.1:8001) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001
# What people edit; build/ is rebuilt only when one of these changed.
INPUTS := data/datapackage.json $(wildcard data/*.csv queries/*.sql views/*.sql) site/metadata.yml site/settings.json $(wildcard pipeline/*.py)
BUILT := build/bolivian_trotskyism.db
.PHONY: setup build serve test browser nginx wrk clean bundle benchmark release

setup: $(VENV)/.installed

# The exact versions the tests run on (requirements.lock), then this project without dependencies.
$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(BUILT): $(VENV)/.installed $(INPUTS)
	$(BIN)/python build_db.py --output $@

build: $(BUILT)

serve: build
	$(BIN)/python -m pipeline.server --port $(PORT)

# Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded by Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Debian's nginx: tests/test_cache.py and tests/test_deploy.py run the shipped cache (deploy/nginx.conf)
# in front of a real server; the benchmark also needs wrk.
nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq nginx >/dev/null; }

wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }

# CITATION.cff's reference validator (cffconvert) needs jsonschema<4, which frictionless cannot use:
# it gets a venv of its own inside .venv, pinned by requirements-cffconvert.lock.
CFFCONVERT := $(VENV)/cffconvert/bin/cffconvert
$(CFFCONVERT): requirements-cffconvert.lock $(VENV)/.installed
	$(BIN)/python -m venv $(VENV)/cffconvert
	$(VENV)/cffconvert/bin/pip install --quiet -r requirements-cffconvert.lock
	touch $@

test: setup browser nginx $(CFFCONVERT)
	$(BIN)/python -m pytest

clean:
	rm -rf build build.* .build.* dist

# A complete deployable bundle (Dockerfile, fly.toml, the built folder, plugins, templates, the locked requirements).
bundle: setup
	$(BIN)/python deploy/make_bundle.py dist/bundle

# docs/benchmarks.md: this site against plain Datasette, the cache, the build and every query at 1x, 100x, 1000x.
benchmark: setup nginx wrk
	$(BIN)/python bench/benchmark.py

# dist/release/bolivian-trotskyism-<version>.zip, releases/ids-<version>.json and the CHANGELOG.md entry
# (the version is data/datapackage.json's; refused when an id of the previous release vanished unrecorded).
# `make release RELEASE_FLAGS=--amend` rewrites the record of a version not yet published.
release: setup
	$(BIN)/python -m pipeline.release $(RELEASE_FLAGS)
