"""Canned queries answer their questions; results are checked against the CSVs."""
import collections
import re
import sqlite3

import pytest
import yaml

from conftest import DATABASE, ROOT, read_rows
from pipeline import layout
from pipeline.site import read_queries

QUERY_FILES = read_queries(layout.QUERIES, [])


def run(site, name, **params):
    response = site.get(f"/{DATABASE}/{name}.json", params={**params, "_shape": "objects", "_size": "max"})
    assert response.status_code == 200, response.text[:500]
    return response.json()["rows"]


def test_there_are_at_least_twelve_described_queries():
    problems = []
    assert len(read_queries(layout.QUERIES, problems)) >= 12
    assert problems == []


@pytest.mark.parametrize("name", QUERY_FILES)
def test_every_query_answers_its_own_example(site, name):
    """The example of each query file (the one the home page, README and bench open) gives rows."""
    assert run(site, name, **QUERY_FILES[name].parameters), name


def test_timeline_between_two_years(site):
    expected = {e["id"] for e in read_rows("events") if e["start_date"][:4].isdigit() and 1952 <= int(e["start_date"][:4]) <= 1953}
    assert {r["id"] for r in run(site, "events_between_years", from_year="1952", to_year="1953", classification="")} == expected
    congresses = run(site, "events_between_years", from_year="1900", to_year="2000", classification="congress")
    assert congresses and {r["classification"] for r in congresses} == {"congress"}
    years = [r["start_date"][:4].replace("X", "0") for r in run(site, "events_between_years", from_year="1900", to_year="2000", classification="")]
    assert years == sorted(years)


def test_timeline_with_malformed_years_returns_nothing(site):
    assert run(site, "events_between_years", from_year="abc", to_year="<script>", classification="") == []


def test_person_profile_lists_memberships_and_events(site):
    rows = run(site, "person_profile", person="guillermo-lora")
    memberships = [m for m in read_rows("memberships") if m["person_id"] == "guillermo-lora"]
    participations = [p for p in read_rows("event_participants") if p["person_id"] == "guillermo-lora"]
    assert sorted(r["link_id"] for r in rows if r["section"] == "Memberships") == sorted(m["organization_id"] for m in memberships)
    assert sorted(r["link_id"] for r in rows if r["section"] == "Events") == sorted(p["event_id"] for p in participations)
    assert all(r["cited"] for r in rows)
    assert run(site, "person_profile", person="Guillermo Lora") == rows


def test_organization_history_of_the_por(site):
    rows = run(site, "organization_history", organization="POR")
    members = [m for m in read_rows("memberships") if m["organization_id"] == "por"]
    relations = [r for r in read_rows("organization_relations") if "por" in (r["organization_id"], r["other_organization_id"])]
    parts = [o for o in read_rows("organizations") if o["parent_id"] == "por"]
    assert len([r for r in rows if r["section"] == "Members and office-holders"]) == len(members)
    assert len([r for r in rows if r["section"] == "Relations"]) == len(relations)
    assert {r["link_id"] for r in rows if r["section"] == "Factions and parts"} == {o["id"] for o in parts}
    assert "por-9th-congress-1952" in {r["link_id"] for r in rows if r["section"] == "Events"}


@pytest.mark.parametrize("query, parameter, table, key", [
    ("event_profile", "event", "event_participants", "event_id"), ("place_profile", "place", "events", "place_id"),
])
def test_profiles_list_every_row_that_points_at_the_entity(site, query, parameter, table, key):
    for value in {r[key] for r in read_rows(table) if r[key]}:
        rows = run(site, query, **{parameter: value})
        pointing = [r for r in read_rows(table) if r[key] == value]
        section = "Participants" if query == "event_profile" else "Events here"
        assert len([r for r in rows if r["section"] == section]) == len(pointing), value


def test_footnote_and_work_profiles_list_the_facts_their_citations_support(site):
    citations = [c for c in read_rows("citations") if c["footnote_id"] == "fn-22"]
    assert len(run(site, "footnote_profile", footnote="fn-22")) == len(citations)
    work = next(f["source_id"] for f in read_rows("footnotes") if f["id"] == "fn-22")
    footnotes = {f["id"] for f in read_rows("footnotes") if f["source_id"] == work}
    rows = run(site, "source_profile", source=work)
    assert {r["link_id"] for r in rows if r["section"] == "Footnotes citing it"} == footnotes
    assert len([r for r in rows if r["section"] != "Footnotes citing it"]) == len([c for c in read_rows("citations") if c["footnote_id"] in footnotes])


def test_query_results_link_every_name(site):
    page = site.get(f"/{DATABASE}/members_on_date?organization=por&date=1952").text
    assert f'<a href="/{DATABASE}/people/guillermo-lora">Guillermo Lora</a>' in page
    search = site.get(f"/{DATABASE}/search_everything?q=Lechin").text
    assert f'<a href="/{DATABASE}/people/juan-lechin">' in search


def test_search_everything_without_a_query_answers_empty(site):
    response = site.get(f"/{DATABASE}/search_everything.json?q=&_shape=objects")
    assert response.status_code == 200 and response.json()["rows"] == []


def test_lineage_of_the_por_reaches_factions_and_successors(site):
    rows = run(site, "organization_lineage", organization="por")
    descendants = {r["id"]: r["depth"] for r in rows if r["direction"] == "descendant"}
    for direct in ("por-masas", "por-lucha-obrera", "fraccion-obrero-leninista", "fraccion-obrero-internacionalista"):
        assert descendants.get(direct) == 1, direct
    assert descendants["por-trotskista"] == 2  # split from POR-LO
    assert descendants["por-combate"] == 2  # POR-LO renamed
    assert "por" not in descendants


def test_lineage_runs_upwards_too(site):
    ancestors = {r["id"] for r in run(site, "organization_lineage", organization="por-trotskista") if r["direction"] == "ancestor"}
    assert {"por-lucha-obrera", "por"} <= ancestors


def test_members_on_a_date_respect_edtf_precision(site):
    in_1954 = {r["membership"] for r in run(site, "members_on_date", organization="por", date="1954-06")}
    in_1955 = {r["membership"] for r in run(site, "members_on_date", organization="por", date="1955")}
    ended_1954 = {m["id"] for m in read_rows("memberships") if m["organization_id"] == "por" and m["end_date"] == "1954"}
    assert ended_1954 and ended_1954 <= in_1954
    assert not ended_1954 & in_1955
    assert run(site, "members_on_date", organization="por", date="not a date") == []


def test_shared_organizations_finds_comrades(site):
    comrades = {r["person"] for r in run(site, "shared_organizations", person="edwin-moller")}
    assert "Guillermo Lora" in comrades
    assert "Edwin Möller" not in comrades


def test_members_of_the_por_and_the_mnr_are_the_entrists(site):
    people = {r["id"] for r in run(site, "members_of_both", first="por", second="mnr")}
    assert {"edwin-moller", "ernesto-ayala-mercado"} <= people


def test_splits_and_mergers_in_order(site):
    rows = run(site, "splits_and_mergers")
    ids = {r["id"] for r in rows}
    assert "por-masas-split-from-por" in ids
    assert {e["id"] for e in read_rows("events") if e["classification"] in ("split", "merger")} <= ids
    dated = [r["date"][:4] for r in rows if r["date"]]
    assert dated == sorted(dated)


def test_disputed_facts_have_both_readings(site):
    rows = run(site, "disagreements")
    contradicting = [c for c in read_rows("citations") if c["stance"] == "contradicts"]
    assert len(rows) == len(contradicting)
    por = next(r for r in rows if r["target_id"] == "por")
    assert "1936" in por["other_reading"] and por["supporting_readings"]


def test_footnote_support_covers_every_footnote(site):
    rows = run(site, "footnote_support")
    assert [r["number"] for r in rows] == list(range(1, 80))
    cited = collections.Counter(c["footnote_id"] for c in read_rows("citations") if c["footnote_id"])
    assert all(r["facts"] == cited[f"fn-{r['number']}"] for r in rows)


def test_most_cited_works(site):
    rows = run(site, "most_cited_works")
    per_work = collections.Counter(f["source_id"] for f in read_rows("footnotes") if f["source_id"])
    assert rows[0]["footnotes"] == max(per_work.values())
    assert rows[0]["id"] in {w for w, n in per_work.items() if n == rows[0]["footnotes"]}


def test_chart_queries_add_up(site):
    single_year = [e for e in read_rows("events") if re.fullmatch(r"\d{4}(-\d\d){0,2}[~?]?", e["start_date"])]
    assert sum(r["events"] for r in run(site, "events_per_year")) == len(single_year)
    assert sum(r["memberships"] for r in run(site, "memberships_by_organization")) == len(read_rows("memberships"))
    with_footnote = [c for c in read_rows("citations") if c["footnote_id"]]
    works = {f["id"] for f in read_rows("footnotes") if f["source_id"]}
    assert sum(r["citations"] for r in run(site, "citations_per_work")) == len([c for c in with_footnote if c["footnote_id"] in works])
    assert len(run(site, "timeline_by_classification")) == len(single_year)


def test_events_map_has_coordinates_for_every_row(site):
    rows = run(site, "events_map")
    located = {p["id"] for p in read_rows("places") if p["latitude"]}
    assert len(rows) == len([e for e in read_rows("events") if e["place_id"] in located])
    assert all(-90 <= r["latitude"] <= 90 and -180 <= r["longitude"] <= 180 for r in rows)


@pytest.mark.parametrize("query, expected", [
    ("Lechin", "juan-lechin"), ("Лечин", "juan-lechin"), ("Lora", "guillermo-lora"), ("Лора", "guillermo-lora"),
    ("Моллер", "edwin-moller"), ("Мольер", "edwin-moller"), ("Moller", "edwin-moller"), ("POR-Masas", "por-masas"),
    ("Marof", "tristan-marof"), ("Navarro", "tristan-marof"), ("СОВ", "cob"), ("Raptis", "michel-pablo"),
])
def test_search_everything_finds_every_spelling(site, query, expected):
    ids = [r["id"] for r in run(site, "search_everything", q=query)]
    assert expected in ids[:2], ids[:5]


def test_search_survives_fts_syntax(site):
    assert run(site, "search_everything", q='"unbalanced AND (') == []


def test_home_page_links_open_each_query_with_its_example(site):
    """The home page's lists are generated from the query files: each link is the file's example."""
    home = site.get("/").text.replace("&amp;", "&")
    listed = [name for names in yaml.safe_load(layout.SITE_METADATA.read_text())["home_page"].values() for name in names]
    assert listed
    for name in listed:
        assert f'href="{QUERY_FILES[name].example_path(DATABASE)}"' in home, name


def test_readme_links_to_queries_use_their_examples():
    """Every link of the README to a canned query is that query's example, parameters and fragment
    (the questions section, checked against site/metadata.yml by test_site, asks its own)."""
    readme = (ROOT / "README.md").read_text()
    questions = yaml.safe_load((ROOT / "site" / "metadata.yml").read_text(encoding="utf-8"))["questions"]
    for question in questions:
        readme = readme.replace(f"http://127.0.0.1:8001{question['path']})", ")")
    links = re.findall(rf"/{DATABASE}/(\w+)(\?[^)\s\"#]*)?(#[^)\s\"]*)?\)", readme)
    linked = [(name, query + fragment) for name, query, fragment in links if name in QUERY_FILES]
    assert linked
    for name, rest in linked:
        assert f"/{DATABASE}/{name}{rest}" == QUERY_FILES[name].example_path(DATABASE).replace(" ", "+"), name


def membership_bounds(m, edtf_bounds):
    start, end = edtf_bounds(m["start_date"]), edtf_bounds(m["end_date"])
    return start[0] or end[0], end[1] or start[1]


@pytest.mark.parametrize("organization, date", [("por", "1952"), ("POR", "1953-06"), ("por", "2020"), ("COB", "1952-04")])
def test_members_on_a_date_are_those_the_texts_place_there_and_the_undated_apart(site, organization, date):
    from pipeline.edtf_dates import edtf_bounds
    org = next(o["id"] for o in read_rows("organizations") if organization in (o["id"], o["abbreviation"]))
    earliest, latest = edtf_bounds(date)
    dated, undated = set(), set()
    for m in read_rows("memberships"):
        if m["organization_id"] != org or m["role"] == "founder":
            continue
        if not m["start_date"] and not m["end_date"]:
            undated.add(m["id"])
        else:
            low, high = membership_bounds(m, edtf_bounds)
            if low <= latest and high >= earliest:
                dated.add(m["id"])
    rows = run(site, "members_on_date", organization=organization, date=date)
    assert {r["membership"] for r in rows if r["evidence"].startswith("dated")} == dated
    assert {r["membership"] for r in rows if r["evidence"].startswith("undated")} == undated
    assert [r["evidence"].split(":")[0] for r in rows] == sorted(r["evidence"].split(":")[0] for r in rows)  # dated first


def test_who_led_the_por_in_1952_includes_lora_but_not_an_open_ended_leader_in_2020(site):
    in_1952 = {(r["person_id"], r["role"]) for r in run(site, "members_on_date", organization="por", date="1952")}
    assert ("guillermo-lora", "leader") in in_1952
    in_2020 = [r for r in run(site, "members_on_date", organization="por", date="2020") if r["evidence"].startswith("dated")]
    assert in_2020 == []
    founders = {m["id"] for m in read_rows("memberships") if m["role"] == "founder"}
    assert not founders & {r["membership"] for r in run(site, "members_on_date", organization="por", date="1935-12")}


def test_leaders_by_year_gives_each_dated_year_and_the_undated_last(site):
    rows = run(site, "leaders_by_year", organization="POR")
    leaderships = [m for m in read_rows("memberships") if m["organization_id"] == "por"
                   and m["role"] in ("leader", "general_secretary", "president", "secretary")]
    assert {r["membership"] for r in rows} == {m["id"] for m in leaderships}
    years = [r["year"] for r in rows]
    assert years == sorted(years, key=lambda y: (y is None, y or 0))
    moscoso = [r["year"] for r in rows if r["membership"] == "hugo-gonzalez-moscoso-por-general-secretary"]
    assert moscoso == [1953]  # an open-ended start gives its own year only
    assert None in [r["year"] for r in rows if r["person_id"] == "guillermo-lora"]


@pytest.mark.parametrize("query, parameter, typed, canonical", [
    ("person_profile", "person", "Лора", "guillermo-lora"),
    ("person_profile", "person", "Edwin Moller", "edwin-moller"),
    ("person_profile", "person", "LECHIN", "juan-lechin"),
    ("organization_history", "organization", "POR", "por"),
    ("organization_history", "organization", "Lucha Obrera", "lucha-obrera"),
    ("organization_lineage", "organization", "POR-Masas", "por-masas"),
    ("leaders_by_year", "organization", "cob", "cob"),
    ("shared_organizations", "person", "Möller", "edwin-moller"),
    ("place_profile", "place", "pulacayo", "pulacayo"),
    ("person_network", "person", "Lora", "guillermo-lora"),
    ("organization_family_tree", "organization", "POR", "por"),
])
def test_a_typed_name_answers_as_the_id_does(site, query, parameter, typed, canonical):
    """Forms accept a name, abbreviation or other name in any script and case, accents optional."""
    by_id = run(site, query, **{parameter: canonical})
    assert by_id, (query, canonical)
    assert run(site, query, **{parameter: typed}) == by_id


def test_members_on_a_date_and_of_both_take_abbreviations(site):
    assert run(site, "members_on_date", organization="POR", date="1952") == run(site, "members_on_date", organization="por", date="1952")
    assert run(site, "members_of_both", first="POR", second="MNR") == run(site, "members_of_both", first="por", second="mnr")


def test_an_unknown_name_answers_nothing_rather_than_a_guess(site):
    assert run(site, "person_profile", person="Nobody Atall") == []
    assert run(site, "organization_history", organization="zzzz") == []


@pytest.mark.parametrize("typed, first_id", [
    ("Pulacayo Thesis", "pulacayo-theses-1946"),   # singular finds the plural, the name before the mentions
    ("Pulacayo Theses", "pulacayo-theses-1946"),
    ("Lechin", "juan-lechin"),
    ("СОВ", "cob"),
])
def test_search_puts_records_named_so_first(site, typed, first_id):
    rows = run(site, "search_everything", q=typed)
    assert rows[0]["id"] == first_id, [r["id"] for r in rows[:5]]
    tiers = [r["matched_in"] for r in rows]
    assert tiers == sorted(tiers, key=lambda t: t != "name")
    order = ["people", "organizations", "places", "events", "sources"]
    mentions = [order.index(r["kind"]) for r in rows if r["matched_in"] == "mention"]
    assert mentions == sorted(mentions)  # people first among the mentions, then organizations…


def test_table_search_reads_singular_and_plural_alike(site):
    def ids(word):
        return {r["id"] for r in site.json(f"/{DATABASE}/events.json?_search={word}&_shape=objects&_size=max")["rows"]}
    assert "pulacayo-theses-1946" in ids("Thesis")
    assert ids("Thesis") == ids("Theses")


# At scale: the benchmark multiplies every table but the bibliography (bench/multiply_data.py); copy k suffixes
# each id with -k<k>, so the real ids keep their own answers in any copy. A query that reaches its rows through
# indexes does about the same work on ten copies as on one; one that reads or sorts whole tables does ten times
# the work (person_network paired every membership with every other: seconds at 1000 copies).
SCALED = [  # query, parameters beyond its example, rows fetched (None: all; else the first page)
    ("person_network", {}, None),
    ("organization_family_tree", {}, None),
    ("organization_family_tree", {"organization": ""}, 20),
    ("timeline_marks", {}, 20),
    ("timeline_marks", {"person": "guillermo-lora"}, None),
    ("timeline_marks", {"organization": "por", "person": "juan-lechin"}, None),
    ("source_profile", {}, 20),
    # A typed name: one seek per name field in entity_names's index, however many rows share the name.
    ("person_profile", {"person": "Лора"}, None),
    ("shared_organizations", {"person": "Möller"}, None),
    ("organization_history", {"organization": "Lucha Obrera"}, None),
]


@pytest.fixture(scope="module")
def ten_copies(tmp_path_factory):
    from conftest import Site, module_from_file
    from pipeline.build import build

    multiply_data = module_from_file(ROOT / "bench" / "multiply_data.py")
    folder = tmp_path_factory.mktemp("ten_copies")
    multiply_data.multiply(10, folder / "data")
    build(data_dir=folder / "data", output=folder / "build" / layout.DATABASE_FILE)
    site = Site(folder / "build")
    yield site
    site.loop.close()


def work_and_rows(site, name, params, fetch):
    """(SQLite virtual machine steps, in hundreds; the rows) of the canned query, on the site's own connection
    (its SQL functions registered)."""
    query = QUERY_FILES[name]

    def measure(conn):
        steps = [0]
        conn.set_progress_handler(lambda: steps.__setitem__(0, steps[0] + 1), 100)
        try:
            cursor = conn.execute(query.sql, {**query.parameters, **params})
            rows = cursor.fetchmany(fetch) if fetch else cursor.fetchall()
        finally:
            conn.set_progress_handler(None, 0)
        return steps[0], [tuple(row) for row in rows]

    return site.loop.run_until_complete(site.datasette.get_database(DATABASE).execute_fn(measure))


@pytest.mark.parametrize("name, params, fetch", SCALED, ids=[f"{n}-{'-'.join(p.values()) or 'example'}" for n, p, _ in SCALED])
def test_diagram_queries_do_the_same_work_on_ten_copies_of_the_data(site, ten_copies, name, params, fetch):
    one_work, one_rows = work_and_rows(site, name, params, fetch)
    ten_work, ten_rows = work_and_rows(ten_copies, name, params, fetch)
    assert one_rows
    assert ten_work < 3 * one_work, (one_work, ten_work)
    if fetch is None:  # a person's, an organization's rows: the copies are other people and organizations
        assert ten_rows == one_rows


def test_source_profile_reads_the_footnotes_in_number_order_through_their_declared_index(site_db, package):
    footnotes = next(r for r in package["resources"] if r["name"] == "footnotes")
    assert ["source_id", "number"] in footnotes["schema"]["indexes"]
    with sqlite3.connect(f"file:{site_db}?mode=ro", uri=True) as conn:
        built = {tuple(column for _, _, column in conn.execute(f"pragma index_info([{name}])"))
                 for name, in conn.execute("select name from sqlite_master where type = 'index' and tbl_name = 'footnotes'")}
    assert ("source_id", "number") in built


def test_an_index_on_a_column_the_table_lacks_is_refused_by_name(data_copy, tmp_path):
    from pipeline.build import build
    from pipeline.problems import InvalidData

    path = data_copy / "datapackage.json"
    path.write_text(path.read_text().replace('["source_id", "number"]', '["source_id", "page_number"]'))
    output = tmp_path / "build" / layout.DATABASE_FILE
    with pytest.raises(InvalidData) as refused:
        build(data_dir=data_copy, output=output)
    assert [str(p) for p in refused.value.problems if "page_number" in str(p)] == [
        f"{path}: resources[footnotes].schema: 'page_number' is not a field of this resource"]
    assert not output.exists()


def test_the_timeline_reads_every_event_through_the_declared_index_of_its_order_and_days(site_db, package):
    """Without a person or organization timeline_marks reads the events in its order through the index the package
    declares with the days its years compare: events outside the years are passed over in the index, not read from
    the table (from 1964 on, most of them)."""
    events = next(r for r in package["resources"] if r["name"] == "events")
    declared = next(tuple(columns) for columns in events["schema"]["indexes"] if columns[0] == "start_date_order")
    query = QUERY_FILES["timeline_marks"]
    with sqlite3.connect(f"file:{site_db}?mode=ro", uri=True) as conn:
        index = next(name for name, in conn.execute("select name from sqlite_master where type = 'index' and tbl_name = 'events'")
                     if tuple(column for _, _, column in conn.execute(f"pragma index_info([{name}])")) == declared)
        conn.create_function("resolve_id", 2, lambda table, text: None)  # no person or organization: never called
        plan = [row[3] for row in conn.execute(f"explain query plan {query.sql}", {**query.parameters, "from_year": "1964"})]
    assert any(step.endswith(f"USING INDEX {index}") for step in plan), plan


@pytest.mark.parametrize("typed", ["POR", "Lora", "Лечин", "Pulacayo Theses", "Masas"])
def test_search_everything_answers_in_the_order_it_describes_though_read_part_by_part(site, ten_copies, typed):
    """Every match, names before mentions, the record of each kind the words name (resolve_id) first, then people,
    organizations, places, events and works, best first: the order of the description, on the data and on ten copies
    of it (full of tied ranks), though the query gives its parts one after the other instead of sorting them all."""
    kinds = ["people", "organizations", "places", "events", "sources"]
    for copy in (site, ten_copies):
        rows = run(copy, "search_everything", q=typed)
        named = {kind: copy.rows("select resolve_id(:kind, :q) as id", kind=kind, q=typed)[0]["id"] for kind in kinds}
        matches = sum(copy.rows(f"select count(*) as n from {kind}_fts where {kind}_fts match escape_fts(:q)", q=typed)[0]["n"]
                      for kind in kinds)
        assert len(rows) == matches and rows == sorted(rows, key=lambda r: (
            r["matched_in"] != "name", r["id"] != named[r["kind"]], kinds.index(r["kind"]), r["rank"]))
