import asyncio
import csv
import shutil
from pathlib import Path

import pytest
from datasette.app import Datasette

import build_db

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
DB = ROOT / "bolivian_trotskyism.db"
DATABASE = "bolivian_trotskyism"


def read_rows(table, data_dir=DATA):
    with (data_dir / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def package():
    return build_db.load_package(DATA)


@pytest.fixture(scope="session")
def site_db():
    """The database the site serves, built from data/ exactly as `make build` does."""
    build_db.build(DATA, DB)
    return DB


class Site:
    """Datasette in configuration-directory mode, as `make serve` runs it, called in-process."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.datasette = Datasette(config_dir=ROOT)
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
def site(site_db):
    site = Site()
    yield site
    site.loop.close()


@pytest.fixture
def data_copy(tmp_path):
    """A scratch copy of data/ for tests that break it."""
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy
