# Quick start: `make serve` (install, build, serve on http://127.0.0.1:8001) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := bolivian_trotskyism.db
PORT ?= 8001
.PHONY: setup build serve test browser clean bundle
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(DB): setup build_db.py views.sql data/*.csv data/datapackage.json
	$(BIN)/python build_db.py --output $(DB)

build: $(DB)

serve: build
	# Configuration-directory mode: this folder's *.db (immutable, because inspect-data.json
	# is here), metadata.yml, settings.json and plugins/.
	$(BIN)/datasette serve . --host 127.0.0.1 --port $(PORT)

# Debian's chromium for the browser tests (Playwright drives it; nothing is downloaded by Playwright).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: setup browser
	$(BIN)/python -m pytest

clean:
	rm -f $(DB) inspect-data.json

# A complete deployable bundle (Dockerfile, fly.toml, database, metadata, plugins, templates, pinned requirements).
bundle: setup
	$(BIN)/python publish_bundle.py dist/bundle
