"""schema.org JSON-LD on the home page and the reading pages, read back with a JSON-LD processor (PyLD)
against the schema.org context vendored in tests/vendor (the tests run offline)."""
import json
import re

import pytest
from pyld import jsonld

from conftest import DATABASE, ROOT, module_from_file, read_rows
from pipeline.edtf_dates import edtf_bounds
from pipeline.package import load_package
from pipeline.problems import InvalidData
from pipeline.build import build

SCHEMA = "http://schema.org/"
CONTEXT_FILE = ROOT / "tests" / "vendor" / "schemaorg-context-30.0.jsonld"
CONTEXT_URLS = {"https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/",
                "https://schema.org/docs/jsonldcontext.jsonld"}
SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def offline_loader(url, options=None):
    if url not in CONTEXT_URLS:
        raise jsonld.JsonLdError(f"offline: no document for {url}", "jsonld.LoadDocumentError", code="loading document failed")
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))}


def page_json_ld(site, path):
    response = site.get(path)
    assert response.status_code == 200, path
    scripts = SCRIPT.findall(response.text)
    assert len(scripts) == 1, f"{path}: expected one JSON-LD script, found {len(scripts)}"
    return json.loads(scripts[0])


def expanded(site, path):
    """The page's JSON-LD expanded to full IRIs: one node."""
    nodes = jsonld.expand(page_json_ld(site, path), {"documentLoader": offline_loader})
    assert len(nodes) == 1
    return nodes[0]


def values(node, prop):
    return [v.get("@value", v.get("@id")) for v in node.get(SCHEMA + prop, [])]


def page_path(table, key):
    return f"/{DATABASE}/{table}/{key}"


def typed_tables():
    return {r["name"]: r["schemaOrgType"] for r in load_package(ROOT / "data" / "datapackage.json")["resources"]
            if "schemaOrgType" in r}


def by_id(table):
    return {row["id"]: row for row in read_rows(table)}


def test_person_page_is_a_person_with_its_names(site):
    person = by_id("people")["guillermo-lora"]
    node = expanded(site, page_path("people", person["id"]))
    assert node["@type"] == [SCHEMA + "Person"]
    assert node["@id"].endswith(page_path("people", person["id"]))
    assert values(node, "name") == [person["name"]]
    assert person["name_ru"] in values(node, "alternateName")
    assert values(node, "description") == [person["summary"]]


def test_organization_page_links_its_parent(site):
    organization = next(row for row in read_rows("organizations") if row["parent_id"] and row["abbreviation"])
    parent = by_id("organizations")[organization["parent_id"]]
    node = expanded(site, page_path("organizations", organization["id"]))
    assert node["@type"] == [SCHEMA + "Organization"]
    assert values(node, "name") == [organization["name"]]
    assert organization["abbreviation"] in values(node, "alternateName")
    [parent_node] = node[SCHEMA + "parentOrganization"]
    assert parent_node["@id"].endswith(page_path("organizations", parent["id"]))
    assert values(parent_node, "name") == [parent["name"]]


def test_every_typed_table_gives_its_declared_type(site):
    for table, schema_type in typed_tables().items():
        row = read_rows(table)[0]
        node = expanded(site, page_path(table, row["id"]))
        assert node["@type"] == [SCHEMA + schema_type], table
        assert values(node, "identifier") == [row["id"]]


def test_works_with_an_address_are_the_same_as_it(site):
    works = [row for row in read_rows("sources") if row["url"].startswith("http")]
    assert works
    for work in works:
        node = expanded(site, page_path("sources", work["id"]))
        assert values(node, "sameAs") == [work["url"]]


def test_uncertain_dates_are_not_stated_as_plain_dates(site):
    event = next(row for row in read_rows("events") if row["start_date"] and not re.fullmatch(r"[\d-]+", row["start_date"]))
    node = expanded(site, page_path("events", event["id"]))
    assert values(node, "startDate") == []
    exact = next(row for row in read_rows("events") if re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["start_date"]))
    assert values(expanded(site, page_path("events", exact["id"])), "startDate") == [exact["start_date"]]


def test_home_page_is_the_dataset(site):
    package = load_package(ROOT / "data" / "datapackage.json")
    node = expanded(site, "/")
    assert node["@type"] == [SCHEMA + "Dataset"]
    assert values(node, "name") == [package["title"]]
    assert values(node, "license") == [package["licenses"][0]["path"]]
    assert values(node, "version") == [package["version"]]
    assert [values(c, "name") for c in node[SCHEMA + "creator"]] == [[c["title"]] for c in package["contributors"]]
    bounds = [edtf_bounds(row[column]) for row in read_rows("events") for column in ("start_date", "end_date") if row[column]]
    assert values(node, "temporalCoverage") == [f"{min(b[0] for b in bounds)}/{max(b[1] for b in bounds)}"]
    [place] = node[SCHEMA + "spatialCoverage"]
    assert place["@id"].endswith(page_path("places", package["spatialCoverage"]))
    assert values(place, "name") == [by_id("places")[package["spatialCoverage"]]["name"]]


def test_home_page_distribution_downloads(site):
    urls = {values(d, "name")[0]: values(d, "contentUrl")[0] for d in expanded(site, "/")[SCHEMA + "distribution"]}
    package = load_package(ROOT / "data" / "datapackage.json")
    archive = f"{package['name']}-{package['version']}.zip"
    written = {archive} if (ROOT / "dist" / "release" / archive).is_file() else set()  # by `make release`, if run here
    assert set(urls) == {f"{DATABASE}.db"} | {f"{r['name']}.csv" for r in package["resources"]} | written
    people_csv = site.get(urls["people.csv"].removeprefix("http://localhost"))
    assert people_csv.status_code == 200
    assert len(people_csv.text.strip().splitlines()) == len(read_rows("people")) + 1
    assert site.get(urls[f"{DATABASE}.db"].removeprefix("http://localhost")).content[:15] == b"SQLite format 3"


def load_plugin():
    return module_from_file(ROOT / "site" / "plugins" / "json_ld.py")


def test_json_ld_cannot_close_its_script_element():
    text = load_plugin().script_json({"name": "</script><script>alert(1)</script>"})
    assert "<" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_unknown_schema_org_type_is_refused(data_copy, tmp_path):
    path = data_copy / "datapackage.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"schemaOrgType": "Person"', '"schemaOrgType": "Persn"'), encoding="utf-8")
    with pytest.raises(InvalidData) as refused:
        build(data_copy, tmp_path / "out" / "db.db")
    assert "resources[people].schemaOrgType: 'Persn' is not described by the site" in str(refused.value.problems)
