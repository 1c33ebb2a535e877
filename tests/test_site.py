"""The served site: every table in HTML, JSON and CSV; labels; search; metadata."""
import csv
import html
import io
import re

import pytest
import yaml

from conftest import DATABASE, ROOT, read_rows

TABLES = ["sources", "footnotes", "people", "organizations", "memberships", "events",
          "event_participants", "organization_relations", "places", "citations"]


@pytest.mark.parametrize("table", TABLES)
def test_table_serves_its_rows_as_html_json_and_csv(site, table):
    first = read_rows(table)[0]
    expected = min(len(read_rows(table)), 100)

    html = site.get(f"/{DATABASE}/{table}")
    assert html.status_code == 200
    assert f"{len(read_rows(table)):,} row" in html.text

    data = site.json(f"/{DATABASE}/{table}.json?_shape=objects&_size=100")
    assert len(data["rows"]) == expected
    assert str(first["id"]) in {str(r["id"]) for r in site.json(f"/{DATABASE}/{table}.json?_shape=objects&_size=max")["rows"]}

    download = site.get(f"/{DATABASE}/{table}.csv?_stream=on&_size=max")
    assert download.status_code == 200
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == len(read_rows(table))


def test_foreign_keys_show_labels(site):
    data = site.json(f"/{DATABASE}/memberships.json?_shape=objects&_labels=on&person_id=guillermo-lora")
    assert data["rows"], "Lora has memberships"
    assert all(r["person_id"] == {"value": "guillermo-lora", "label": "Guillermo Lora"} for r in data["rows"])
    page = site.get(f"/{DATABASE}/memberships?person_id=guillermo-lora")
    assert "Guillermo Lora" in page.text


def test_search_finds_lechin_without_the_accent(site):
    data = site.json(f"/{DATABASE}/people.json?_search=Lechin&_shape=objects")
    assert "Juan Lechín" in [r["name"] for r in data["rows"]]


def test_search_all_plugin_lists_searchable_tables(site):
    page = site.get("/-/search?q=Lechin")
    assert page.status_code == 200
    assert "people" in page.text


def test_every_table_view_and_column_is_described_in_the_served_metadata(site):
    metadata = site.json("/-/metadata.json")["databases"][DATABASE]["tables"]
    listing = site.json(f"/{DATABASE}.json")
    names = [t["name"] for t in listing["tables"] if not t["hidden"]] + [v["name"] for v in listing["views"]]
    missing = []
    for table in names:
        info = metadata.get(table, {})
        if not info.get("description"):
            missing.append(f"{table}: no description")
        columns = [c["name"] for c in site.rows(f"select name from pragma_table_xinfo('{table}')")]
        missing += [f"{table}.{c}" for c in columns if not info.get("columns", {}).get(c)]
    assert len(names) >= 15 and missing == []


def test_no_plugin_supplies_metadata_at_runtime(site):
    plugins = site.json("/-/plugins.json")
    assert [p["name"] for p in plugins if "get_metadata" in p["hooks"]] == []


@pytest.mark.parametrize("view, facet", [("timeline", "classification"), ("disputed_facts", None), ("citation_targets", "stance")])
def test_views_are_reachable_at_their_urls_with_their_facets(site, view, facet):
    data = site.json(f"/{DATABASE}/{view}.json?_shape=objects")
    assert data["rows"] and "query_name" not in data
    page = site.get(f"/{DATABASE}/{view}")
    assert page.status_code == 200 and 'class="facet-info' in page.text if facet else page.status_code == 200


def test_license_and_source_are_stated(site):
    metadata = site.datasette.metadata()
    assert metadata["license"] == "CC BY 4.0"
    assert "Latin American Historical Almanac" in metadata["source"]


def test_database_is_immutable_and_downloadable(site):
    assert site.datasette.databases[DATABASE].is_mutable is False
    download = site.get(f"/{DATABASE}.db")
    assert download.status_code == 200
    assert download.content[:16] == b"SQLite format 3\x00"


def test_arbitrary_sql_cannot_write(site):
    response = site.get(f"/{DATABASE}.json", params={"sql": "delete from people"})
    assert response.status_code == 400
    assert site.rows("select count(*) as n from people")[0]["n"] == len(read_rows("people"))


def test_views_answer_common_questions(site):
    spans = site.rows("select person, organization, role from membership_spans where person_id = 'hugo-gonzalez-moscoso'")
    assert any(r["organization"] for r in spans)
    disputes = site.rows("select target_id, other_reading from disputed_facts")
    assert {"por", "junta-surrender-1952"} <= {d["target_id"] for d in disputes}


def test_responses_are_compressed(site):
    response = site.get(f"/{DATABASE}/events.json", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["rows"]


def test_static_files_are_cacheable(site):
    page = site.get(f"/{DATABASE}/events")
    scripts = [s for s in page.text.split('"') if s.startswith("/-/static-plugins/datasette_vega/") and s.endswith(".js")]
    assert scripts
    response = site.get(scripts[0], headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"  # its name carries its hash
    assert response.headers["content-encoding"] == "gzip"


def test_permission_cache_gives_datasette_answers(site):
    """plugins/permission_cache.py memoizes a private Datasette method: it must still exist and agree."""
    remembered = site.datasette._table_permission_allows
    assert remembered.__name__ == "remembered"
    original = type(site.datasette)._table_permission_allows
    for table in ["people", "citations", "timeline", "no_such_table"]:
        assert remembered(DATABASE, table) == tuple(original(site.datasette, DATABASE, table))


def test_the_dataset_says_how_to_cite_it(site):
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["license"] == "CC-BY-4.0" and citation["type"] == "dataset"
    home = site.get("/").text
    assert "How to cite" in home and citation["title"].split(":")[0] in home
    assert "How to cite" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("table", ["events", "memberships", "organization_relations"])
def test_tables_list_dated_rows_before_undated_ones(site, table):
    rows = site.json(f"/{DATABASE}/{table}.json?_shape=objects&_size=max")["rows"]
    dated = [bool(r["start_date"]) for r in rows]
    assert any(dated) and dated == sorted(dated, reverse=True), table
    days = [r["start_date_earliest"] for r in rows if r["start_date"]]
    assert days == sorted(days)


def test_home_page_search_leads_to_ranked_search(site):
    home = site.get("/").text
    assert 'action="/-/search"' in home
    page = site.get("/-/search?q=Pulacayo+Thesis").text
    assert "/search_everything.json?" in page and "Pulacayo Thesis" in page


QUESTIONS = yaml.safe_load((ROOT / "site" / "metadata.yml").read_text(encoding="utf-8"))["questions"]


def test_readme_and_home_page_list_the_same_questions(site):
    readme = re.findall(r"^\d+\. \[(.+?)\]\(http://127\.0\.0\.1:8001(\S+?)\)$", (ROOT / "README.md").read_text(encoding="utf-8"), re.M)
    assert readme == [(q["question"], q["path"]) for q in QUESTIONS]
    home = site.get("/").text
    for q in QUESTIONS:
        assert f'<a href="{html.escape(q["path"])}">{html.escape(q["question"])}</a>' in home


@pytest.mark.parametrize("question", QUESTIONS, ids=[q["path"] for q in QUESTIONS])
def test_each_question_opens_a_page_with_an_answer(site, question):
    path, _, query = question["path"].partition("?")
    page = site.get(question["path"])
    assert page.status_code == 200
    if path.count("/") == 3:  # a reading page: /database/table/id
        assert "<h1" in page.text and "No rows" not in page.text
    else:
        assert site.json(f"{path}.json?{query}&_shape=objects")["rows"], question["path"]


def test_the_first_questions_give_the_answers_the_data_holds(site):
    leaders = {m["person_id"] for m in read_rows("memberships") if m["organization_id"] == "por" and m["role"] == "leader"}
    led_1952 = site.json(f"/{DATABASE}/members_on_date.json?organization=POR&date=1952&_shape=objects")["rows"]
    assert "guillermo-lora" in leaders and "guillermo-lora" in {r["person_id"] for r in led_1952 if r["role"] == "leader"}
    april = {e["id"] for e in read_rows("events") if e["start_date"].startswith("1952-04")}
    shown = site.json(f"/{DATABASE}/events.json?start_date__startswith=1952-04&_shape=objects&_size=max")["rows"]
    assert april and {r["id"] for r in shown} == april
