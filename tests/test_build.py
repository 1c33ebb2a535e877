"""The build from data/: contract, derived columns, search, inspect file, package validity."""
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import sqlite_utils

from conftest import DATA, DATABASE, ROOT, read_rows


def test_build_command_prints_rows_per_table(tmp_path, package):
    output = tmp_path / "x.db"
    result = subprocess.run([sys.executable, ROOT / "build_db.py", "--output", output], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for resource in package["resources"]:
        assert f"{resource['name']} {len(read_rows(resource['name']))}" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inspect-data.json", "metadata.json", "settings.json", "x.db"]


def test_every_csv_row_is_a_database_row(site_db, package):
    db = sqlite_utils.Database(site_db)
    for resource in package["resources"]:
        assert db[resource["name"]].count == len(read_rows(resource["name"])), resource["name"]


def test_foreign_keys_are_declared_and_intact(site_db, package):
    db = sqlite_utils.Database(site_db)
    assert db.execute("pragma foreign_key_check").fetchall() == []
    for resource in package["resources"]:
        declared = {(fk.column, fk.other_table) for fk in db[resource["name"]].foreign_keys}
        for fk in resource["schema"]["foreignKeys"]:
            assert (fk["fields"], fk["reference"]["resource"]) in declared


def test_foreign_key_and_date_columns_are_indexed(site_db):
    db = sqlite_utils.Database(site_db)
    indexed = {(t, i.columns[0]) for t in db.table_names() for i in db[t].indexes}
    assert ("memberships", "person_id") in indexed
    assert ("citations", "footnote_id") in indexed
    assert ("events", "start_date_earliest") in indexed
    assert ("events", "start_year") in indexed


def test_dates_derive_sortable_days_and_facet_years(site_db):
    db = sqlite_utils.Database(site_db)
    row = db["events"].get("cob-founding-1952")
    assert row["start_date"] == "1952-04-17"
    assert (row["start_date_earliest"], row["start_date_latest"]) == ("1952-04-17", "1952-04-17")
    assert (row["start_year"], row["start_decade"]) == (1952, 1950)
    month_only = db.execute(
        "select start_date, start_date_earliest, start_date_latest from events where length(start_date) = 7 limit 1"
    ).fetchone()
    year, month = map(int, month_only[0].split("-"))
    assert month_only[1] == f"{year:04d}-{month:02d}-01"
    assert month_only[2][:7] == month_only[0] and int(month_only[2][8:]) >= 28


def test_full_text_search_ignores_accents(site_db):
    db = sqlite_utils.Database(site_db)
    names = [r["name"] for r in db["people"].search("Lechin")]
    assert "Juan Lechín" in names
    assert "remove_diacritics 2" in db["people_fts"].schema


def test_inspect_file_describes_the_database(site_db):
    inspect = json.loads((site_db.parent / "inspect-data.json").read_text())
    entry = inspect[DATABASE]
    assert entry["hash"] == hashlib.sha256(site_db.read_bytes()).hexdigest()
    assert entry["tables"]["people"]["count"] == len(read_rows("people"))


def test_frictionless_validates_the_data_package():
    result = subprocess.run(
        [Path(sys.executable).with_name("frictionless"), "validate", "--json", DATA / "datapackage.json"],
        capture_output=True, text=True, cwd=DATA,
    )
    report = json.loads(result.stdout)
    errors = [e["message"] for task in report["tasks"] for e in task["errors"]] + [e["message"] for e in report["errors"]]
    assert report["valid"], errors[:10]
    assert len(report["tasks"]) == 10


def test_csvclean_finds_no_length_mismatch(package):
    for resource in package["resources"]:
        result = subprocess.run(
            [Path(sys.executable).with_name("csvclean"), "--length-mismatch", DATA / resource["path"]],
            capture_output=True, text=True,
        )
        assert result.returncode == 0, (resource["path"], result.stdout, result.stderr)
        assert "line_number" not in result.stdout, result.stdout
