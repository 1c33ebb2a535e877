import asyncio
import csv
import importlib.util
import shutil

import pytest
from playwright.sync_api import sync_playwright
from datasette.app import Datasette

from pipeline import layout
from pipeline.build import build
from pipeline.package import load_package
from pipeline.server import running_site

ROOT = layout.ROOT
DATA = layout.DATA
DATABASE = layout.DATABASE


def read_rows(table, data_dir=DATA):
    with (data_dir / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def module_from_file(path):
    """A site plugin or bench script loaded as a module of its own (neither folder is a package)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_rows(data_dir, table, rows, fieldnames=None):
    """Write `rows` (dicts) as data_dir/<table>.csv, one row a line, as the data's CSVs are written."""
    fieldnames = fieldnames or list(rows[0].keys())
    with (data_dir / f"{table}.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="session")
def package():
    return load_package(layout.PACKAGE)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The folder the site serves, built from the checkout as `make build` does (in a scratch folder,
    so a running `make serve` is never rebuilt under)."""
    folder = tmp_path_factory.mktemp("build")
    build(output=folder / layout.DATABASE_FILE)
    return folder


@pytest.fixture(scope="session")
def site_db(built):
    return built / layout.DATABASE_FILE


class Site:
    """Datasette configured exactly as `make serve` runs it, called in-process."""

    def __init__(self, folder):
        self.loop = asyncio.new_event_loop()
        self.datasette = Datasette(config_dir=folder, plugins_dir=str(layout.PLUGINS), template_dir=str(layout.TEMPLATES),
                                   static_mounts=[("site", str(layout.STATIC))])
        self.loop.run_until_complete(self.datasette.invoke_startup())

    def get(self, path, **kwargs):
        return self.loop.run_until_complete(self.datasette.client.get(path, **kwargs))

    def json(self, path):
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:500])
        return response.json()

    def rows(self, sql, **params):
        query = {"sql": sql, "_shape": "objects", **params}
        return self.loop.run_until_complete(self.datasette.client.get(f"/{DATABASE}.json", params=query)).json()["rows"]


@pytest.fixture(scope="session")
def site(built):
    site = Site(built)
    yield site
    site.loop.close()


@pytest.fixture
def data_copy(tmp_path):
    """A scratch copy of data/ for tests that break it."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


@pytest.fixture(scope="session")
def server(built):
    """The site as `make serve` runs it, on a free port of 127.0.0.1."""
    with running_site(build_dir=built) as base:
        yield base


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORTS = {"desktop": (1280, 900), "phone": (390, 844)}


# Module scope: Playwright's sync API runs an event loop while the browser is open, and the in-process
# `site` of later test modules cannot run its own loop inside it.
@pytest.fixture(scope="module")
def browser():
    """Debian's chromium, driven by Playwright (which downloads nothing)."""
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium is not installed (make test installs it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
