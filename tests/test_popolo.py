"""The Popolo export (/-/popolo.json, pipeline/popolo.py): valid against Popolo's own JSON Schemas
(tests/schemas/popolo/, draft 3), every id of the data exactly once, every reference resolving, every
citation a source, every EDTF date carried faithfully."""
import json
import re
from collections import Counter
from pathlib import Path

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from conftest import read_rows
from pipeline.edtf_dates import edtf_bounds
from pipeline.popolo import popolo_document

SCHEMAS = Path(__file__).parent / "schemas" / "popolo"
# Popolo collection: (its schema, the table its objects come from)
COLLECTIONS = {"persons": ("person", "people"), "organizations": ("organization", "organizations"),
               "memberships": ("membership", "memberships"), "events": ("event", "events"), "areas": ("area", "places")}
DATES = {"persons": ["birth_date", "death_date"], "organizations": ["founding_date", "dissolution_date"],
         "memberships": ["start_date", "end_date"], "events": ["start_date", "end_date"], "areas": []}
CITATION_TARGETS = {"people": "person_id", "organizations": "organization_id", "memberships": "membership_id",
                    "events": "event_id", "places": "place_id"}


@pytest.fixture(scope="module")
def document(server):
    response = httpx.get(f"{server}/-/popolo.json", timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    return response.json()


@pytest.fixture(scope="module")
def validators():
    schemas = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (schema["id"].rstrip("#"), Resource.from_contents(schema, default_specification=DRAFT3)) for schema in schemas.values())
    return {name: jsonschema.Draft3Validator(schema, registry=registry) for name, schema in schemas.items()}


def test_every_object_validates_against_the_popolo_schema(document, validators):
    errors = []
    for collection, (schema, _) in COLLECTIONS.items():
        assert document[collection], collection
        for item in document[collection]:
            errors += [f"{collection} {item.get('id')}: {e.message}" for e in validators[schema].iter_errors(item)]
    assert errors == []


def test_required_fields_are_filled(document, server):
    """What Popolo requires beyond the schema's types: a membership has a member and an organization, a link
    a URL; and what this export promises: every person, organization, event and area has an id and a name."""
    for collection in ("persons", "organizations", "events", "areas"):
        assert all(item.get("id") and item.get("name") for item in document[collection]), collection
    assert all(m.get("person_id") and m.get("organization_id") for m in document["memberships"])
    links = [link for items in document.values() for item in items for link in item.get("sources", []) + item.get("links", [])]
    assert links and all(link["url"].startswith(server + "/") for link in links)


def test_every_id_round_trips(document):
    for collection, (_, table) in COLLECTIONS.items():
        ids = [item["id"] for item in document[collection]]
        assert Counter(ids) == Counter(row["id"] for row in read_rows(table)), collection
    persons, organizations = ({item["id"] for item in document[c]} for c in ("persons", "organizations"))
    assert all(m["person_id"] in persons and m["organization_id"] in organizations for m in document["memberships"])
    assert all(o.get("parent_id") in organizations for o in document["organizations"] if "parent_id" in o)
    memberships = {m["id"]: m for m in document["memberships"]}
    for row in read_rows("memberships"):
        assert (memberships[row["id"]]["person_id"], memberships[row["id"]]["organization_id"], memberships[row["id"]]["role"]) == \
               (row["person_id"], row["organization_id"], row["role"])


def test_each_citation_is_a_source_of_its_object(document):
    expected = Counter()
    for citation in read_rows("citations"):
        for table, column in CITATION_TARGETS.items():
            if citation[column]:
                expected[(table, citation[column], f"{citation['source_id']}, {citation['locator']}")] += 1
    found = Counter()
    for collection, (_, table) in COLLECTIONS.items():
        for item in document[collection]:
            for source in item.get("sources", []):
                found[(table, item["id"], source["note"].split(" — ")[0])] += 1
    assert found == expected


def test_sources_and_links_lead_to_pages_of_the_site(document):
    urls = {link["url"] for items in document.values() for item in items for link in item.get("sources", []) + item.get("links", [])}
    with httpx.Client(timeout=30) as client:
        assert {url: client.get(url).status_code for url in sorted(urls)} == {url: 200 for url in sorted(urls)}


def test_other_names_are_every_other_name_of_the_row(document, package):
    for collection, table in (("persons", "people"), ("organizations", "organizations"), ("areas", "places")):
        resource = next(r for r in package["resources"] if r["name"] == table)
        separators = {f["name"]: f.get("separator") for f in resource["schema"]["fields"]}
        items = {item["id"]: item for item in document[collection]}
        for row in read_rows(table):
            names = []
            for field in resource["schema"]["nameFields"]:
                values = row[field].split(separators[field]) if separators[field] else [row[field]]
                names += [v.strip() for v in values if v.strip() and v.strip() != row["name"] and v.strip() not in names]
            assert [n["name"] for n in items[row["id"]].get("other_names", [])] == names, row["id"]


def test_dates_are_the_reduced_iso_dates_the_edtf_dates_fall_within(document):
    checked = 0
    for collection, (_, table) in COLLECTIONS.items():
        rows = {row["id"]: row for row in read_rows(table)}
        for item in document[collection]:
            for name in DATES[collection]:
                edtf = rows[item["id"]][name]
                if not edtf:
                    assert name not in item and f"{name}_edtf" not in item
                    continue
                date = item.get(name)
                earliest, latest = edtf_bounds(edtf)
                if date is not None:
                    assert re.fullmatch(r"\d{4}(-\d\d){0,2}", date) and earliest.startswith(date) and latest.startswith(date)
                assert item.get(f"{name}_edtf", date) == edtf, (item["id"], name)
                checked += 1
    assert checked > 100


def test_the_release_function_writes_the_document_the_site_serves(document, site_db, server):
    assert popolo_document(site_db, base_url=server) == document
