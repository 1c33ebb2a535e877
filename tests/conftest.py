import asyncio
import csv
import shutil
import socket
import subprocess
import time
import urllib.request
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(site_db, tmp_path_factory):
    """`datasette serve .` as `make serve` runs it, on a free port of 127.0.0.1."""
    port = free_port()
    log = (tmp_path_factory.mktemp("server") / "datasette.log").open("w+")
    datasette = ROOT / ".venv" / "bin" / "datasette"
    command = [str(datasette) if datasette.exists() else shutil.which("datasette"), "serve", ".", "--host", "127.0.0.1", "--port", str(port)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=1)
            break
        except OSError:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(log.read())
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()
