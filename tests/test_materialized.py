"""Views whose header says `materialize: true`: computed once by the build into tables, described by
their header, equal to their SQL run live, and read by the canned queries that used to aggregate."""
import shutil
import sqlite3

import pytest

from conftest import DATABASE
from pipeline import layout
from pipeline.build import build
from pipeline.problems import InvalidData
from pipeline.site import read_queries, read_views

MATERIALIZED = {name: view for name, view in read_views(layout.VIEWS, []).items() if view.header.get("materialize")}


def test_materialized_views_are_tables_equal_to_their_sql(site_db):
    assert MATERIALIZED, "no view is materialized"
    conn = sqlite3.connect(f"file:{site_db}?mode=ro", uri=True)
    for name, view in MATERIALIZED.items():
        assert conn.execute("select type from sqlite_master where name = ?", [name]).fetchone() == ("table",), name
        stored = conn.execute(f"select * from [{name}] order by rowid").fetchall()
        assert stored and stored == conn.execute(view.sql).fetchall(), name  # same rows, in the view's order


def test_materialized_tables_are_described_by_their_header(site):
    tables = site.json("/-/metadata.json")["databases"][DATABASE]["tables"]
    for name, view in MATERIALIZED.items():
        assert tables[name]["description"] == view.header["description"]
        assert tables[name]["columns"] == view.header["columns"]


def test_every_materialized_table_is_read_by_a_canned_query():
    sql = " ".join(query.sql for query in read_queries(layout.QUERIES, []).values())
    for name in MATERIALIZED:
        assert f"from {name}" in sql, name


def test_materialize_must_be_true_or_false(tmp_path):
    views = tmp_path / "views"
    shutil.copytree(layout.VIEWS, views)
    path = views / "event_year_counts.sql"
    path.write_text(path.read_text().replace("-- materialize: true", "-- materialize: sometimes"))
    output = tmp_path / "build" / layout.DATABASE_FILE
    with pytest.raises(InvalidData) as refused:
        build(output=output, views_dir=views)
    assert any(str(path) in str(problem) and "materialize: must be true or false" in str(problem)
               for problem in refused.value.problems)
    assert not output.exists()
