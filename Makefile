# Quick start: `make serve` (install, build, serve on http://127.0.0.1:8001) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8001
# What people edit; build/ is rebuilt only when one of these changed.
INPUTS := data/datapackage.json $(wildcard data/*.csv queries/*.sql views/*.sql) site/metadata.yml site/settings.json $(wildcard pipeline/*.py)
BUILT := build/bolivian_trotskyism.db
.PHONY: setup build serve test browser clean bundle

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

test: setup browser
	$(BIN)/python -m pytest

clean:
	rm -rf build dist

# A complete deployable bundle (Dockerfile, fly.toml, the built folder, plugins, templates, the locked requirements).
bundle: setup
	$(BIN)/python deploy/make_bundle.py dist/bundle
