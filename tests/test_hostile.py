"""What a stranger might send to the public server: each is refused or cut off, and the server stays up.

Runs against `datasette serve .` on 127.0.0.1 (the `server` fixture), with the real settings.
"""
import hashlib
import json
import time

import httpx
import pytest

from conftest import DATABASE, read_rows
from pipeline import layout

SETTINGS = json.loads(layout.SETTINGS.read_text())
SETTINGS_LIMIT_MS, MAX_ROWS = SETTINGS["sql_time_limit_ms"], SETTINGS["max_returned_rows"]


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=30) as client:
        yield client


@pytest.fixture(scope="module", autouse=True)
def database_unchanged(server, site_db):
    before = hashlib.sha256(site_db.read_bytes()).hexdigest()
    yield
    assert hashlib.sha256(site_db.read_bytes()).hexdigest() == before


def sql(client, query):
    return client.get(f"/{DATABASE}.json", params={"sql": query, "_shape": "objects"})


@pytest.mark.parametrize("statement", [
    "delete from people",
    "update people set name = 'x'",
    "insert into people (id, name) values ('intruder', 'Intruder')",
    "drop table citations",
    "create table graffiti (x)",
    "attach database '/tmp/evil.db' as evil",
    "pragma writable_schema = on",
    "vacuum",
    "select load_extension('/tmp/evil.so')",
])
def test_writes_and_dangerous_statements_are_refused(client, statement):
    response = sql(client, statement)
    assert response.status_code in (400, 403), (response.status_code, response.text[:200])
    assert response.json()["ok"] is False


def test_pragma_table_function_reads_only(client):
    response = sql(client, "select * from pragma_table_info('people')")
    assert response.status_code == 200
    assert "name" in {r["name"] for r in response.json()["rows"]}


def test_runaway_recursive_query_is_cut_off(client):
    started = time.perf_counter()
    response = sql(client, "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n")
    elapsed = time.perf_counter() - started
    assert response.status_code == 400
    assert "interrupted" in response.json()["error"].lower() or "time limit" in response.text.lower()
    assert elapsed < SETTINGS_LIMIT_MS / 1000 + 5


def test_cross_join_of_every_table_is_cut_off(client):
    tables = ["sources", "footnotes", "people", "organizations", "memberships", "events", "event_participants",
              "organization_relations", "places", "citations"]
    response = sql(client, "select count(*) from " + ", ".join(tables))
    assert response.status_code == 400


def test_huge_page_size_is_capped(client):
    response = client.get(f"/{DATABASE}/citations.json", params={"_size": "1000000"})
    assert response.status_code == 400
    rows = client.get(f"/{DATABASE}/citations.json", params={"_size": "max", "_shape": "objects"}).json()["rows"]
    assert len(rows) == min(MAX_ROWS, len(read_rows("citations")))
    truncated = sql(client, "select a.id from citations a, citations b limit 100000")
    assert truncated.status_code == 200 and truncated.json()["truncated"] is True
    assert len(truncated.json()["rows"]) == MAX_ROWS


@pytest.mark.parametrize("query, params", [
    ("events_between_years", {"from_year": "'; drop table events; --", "to_year": "x", "classification": "' or 1=1 --"}),
    ("members_on_date", {"organization": "por", "date": "1952-13-45"}),
    ("organization_lineage", {"organization": "x" * 5000}),
    ("search_everything", {"q": '"( AND OR NEAR'}),
    ("person_profile", {}),
])
def test_malformed_parameters_to_canned_queries(client, query, params):
    response = client.get(f"/{DATABASE}/{query}.json", params={**params, "_shape": "objects"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.json()["rows"] == []


def test_html_in_parameters_is_escaped(client):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = client.get(f"/{DATABASE}/search_everything", params={"q": payload})
    assert page.status_code == 200
    assert payload not in page.text
    assert "&lt;script&gt;" in page.text
    table = client.get(f"/{DATABASE}/people", params={"_search": payload, "name__contains": payload})
    assert payload not in table.text


def test_server_still_answers_after_all_that(client):
    response = client.get(f"/{DATABASE}/people.json", params={"_shape": "objects", "id": "guillermo-lora"})
    assert response.json()["rows"][0]["name"] == "Guillermo Lora"
