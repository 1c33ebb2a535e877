"""The data contract (DATA_MODEL.md of the steering repository), checked on the built database.

The project owns these checks so that they run wherever the repository does. The required
columns are the contract's own table; everything else is read from the data package.
"""
import re
import sqlite3

import pytest

from pipeline.package import exactly_one_of_targets

REQUIRED = {
    "sources": "id classification author title container_title volume issue year language url compiled_from note",
    "footnotes": "id in_source_id number kind source_id pages printed summary note",
    "people": "id name name_ru other_names birth_date death_date summary",
    "organizations": "id name name_es name_ru abbreviation other_names classification country parent_id "
                     "founding_date dissolution_date summary",
    "memberships": "id person_id organization_id role start_date end_date end_reason note",
    "events": "id name classification start_date end_date place_id summary",
    "event_participants": "id event_id person_id organization_id role",
    "organization_relations": "id organization_id relation other_organization_id start_date end_date event_id note",
    "places": "id name name_ru classification country latitude longitude",
    "citations": "id source_id locator footnote_id stance note event_id membership_id person_id organization_id "
                 "relation_id participant_id place_id",
}
MUST_BE_CITED = ["events", "memberships", "organization_relations", "event_participants"]
EDTF = re.compile(r"^(\d{4}|\d{3}X|\d{2}XX)(-\d{2}(-\d{2})?)?[?~%]?$")


@pytest.fixture(scope="module")
def db(site_db):
    connection = sqlite3.connect(f"file:{site_db}?mode=ro", uri=True)
    yield connection
    connection.close()


def columns(db, table):
    return {row[1] for row in db.execute(f"pragma table_info([{table}])")}


@pytest.mark.parametrize("table", REQUIRED)
def test_every_contract_column_is_there(db, table):
    assert set(REQUIRED[table].split()) - columns(db, table) == set()


def test_every_foreign_key_of_the_package_is_declared_and_intact(db, package):
    for resource in package["resources"]:
        declared = {(fk[3], fk[2]) for fk in db.execute(f"pragma foreign_key_list([{resource['name']}])")}
        for fk in resource["schema"].get("foreignKeys", []):
            assert (fk["fields"], fk["reference"]["resource"]) in declared, (resource["name"], fk["fields"])
    assert db.execute("pragma foreign_key_check").fetchall() == []


def citation_targets(package):
    citations = next(r for r in package["resources"] if r["name"] == "citations")
    return exactly_one_of_targets(citations["schema"])


def test_citation_targets_are_the_contract_columns(package):
    targets = citation_targets(package)
    assert set(targets) == set(REQUIRED["citations"].split()) - {"id", "source_id", "locator", "footnote_id", "stance", "note"}


def test_every_citation_names_exactly_one_target(db, package):
    filled = " + ".join(f"({c} is not null)" for c in citation_targets(package))
    assert db.execute(f"select id from citations where {filled} != 1").fetchall() == []


@pytest.mark.parametrize("table", MUST_BE_CITED)
def test_every_fact_has_a_citation(db, package, table):
    column = next(c for c, t in citation_targets(package).items() if t == table)
    uncited = db.execute(f"select id from [{table}] where id not in (select {column} from citations where {column} is not null)")
    assert uncited.fetchall() == []


@pytest.mark.parametrize("table", REQUIRED)
def test_date_columns_hold_edtf(db, table):
    for column in [c for c in columns(db, table) if re.search(r"(^|_)date$", c)]:
        bad = [(i, v) for i, v in db.execute(f"select id, [{column}] from [{table}] where [{column}] is not null") if not EDTF.match(str(v))]
        assert bad == [], (table, column)
