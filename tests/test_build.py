"""The build from data/: contract, derived columns, search, inspect file, package validity."""
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from conftest import DATA, DATABASE, ROOT, read_rows
from pipeline import layout, publish
from pipeline.build import build, main as build_main
from pipeline.edtf_dates import edtf_bounds, parse_edtf
from pipeline.package import Table
from pipeline.validate import validate_hierarchies

DATABASE_FILE = layout.DATABASE_FILE


def test_build_command_prints_rows_per_table(tmp_path, package):
    output = tmp_path / "build" / "x.db"
    result = subprocess.run([sys.executable, ROOT / "build_db.py", "--output", output], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for resource in package["resources"]:
        assert f"{resource['name']} {len(read_rows(resource['name']))}" in result.stdout
    assert sorted(p.name for p in output.parent.iterdir()) == ["inspect-data.json", "metadata.json", "settings.json", "x.db"]
    assert output.parent.is_symlink()


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


# ---------------------------------------------------------------- what the build leaves, whatever happens


def copy_of(built, tmp_path):
    """The session's build copied as a build keeps it: `build` a symlink to its version folder."""
    version = built.resolve()
    shutil.copytree(version, tmp_path / "site" / version.name)
    (tmp_path / "site" / "build").symlink_to(version.name)
    return tmp_path / "site" / "build" / next(p.name for p in version.glob("*.db"))


def served_state(folder):
    """What a server started on `folder` would read: where the symlink points and every file's bytes."""
    return os.readlink(folder), {p.name: p.read_bytes() for p in folder.iterdir()}


def test_a_killed_build_leaves_nothing_a_server_would_read(built, tmp_path):
    """Killed while writing its database (item 5): the served folder is as it was, nothing was written
    into it, and the next build removes the killed build's staging folder."""
    output = copy_of(built, tmp_path)
    before = served_state(output.parent)
    process = subprocess.Popen([sys.executable, ROOT / "build_db.py", "--output", output],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    staged = []
    while not staged and process.poll() is None and time.monotonic() < deadline:
        staged = [p for p in output.parent.parent.glob(".build.*.partial/*.db") if p.stat().st_size > 0]
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL and staged, "the build ended before it could be killed mid-write"
    assert served_state(output.parent) == before
    assert [p.name for p in output.parent.parent.glob(".build.*.partial")]  # the killed build's, outside build/
    assert build_main(["--output", str(output)]) == 0
    assert not list(output.parent.parent.glob(".build.*.partial"))


def test_concurrent_builds_take_turns_and_leave_one_whole_build(tmp_path):
    output = tmp_path / "build" / DATABASE_FILE
    builds = [subprocess.Popen([sys.executable, ROOT / "build_db.py", "--output", output], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE) for _ in range(2)]
    assert [b.wait() for b in builds] == [0, 0], [b.stderr.read() for b in builds]
    inspect = json.loads((output.parent / "inspect-data.json").read_text())
    assert inspect[DATABASE]["hash"] == hashlib.sha256(output.read_bytes()).hexdigest()
    assert not list(tmp_path.glob(".build.*.partial"))


def test_old_build_folders_are_removed_unless_a_server_holds_them(tmp_path):
    """Of the folders a build replaces, only the one it just replaced and any a server holds are kept."""
    output = tmp_path / "build" / DATABASE_FILE
    settings = json.loads(layout.SETTINGS.read_text())
    versions = []
    for page_size in (101, 102, 103, 104):  # four builds that differ in their settings.json
        (tmp_path / "settings.json").write_text(json.dumps({**settings, "default_page_size": page_size}))
        build(output=output, settings=tmp_path / "settings.json")
        versions.append(output.parent.resolve())
        if page_size == 101:
            held = publish.hold(versions[0])  # as pipeline/server.py does for a running server
    try:
        assert len(set(versions)) == 4
        assert sorted(p for p in tmp_path.iterdir() if p.is_dir() and not p.is_symlink()) == sorted(
            [versions[0], versions[2], versions[3]])
    finally:
        os.close(held)


@pytest.mark.parametrize("where, message", [
    ("folder", "the output must be a database file path, not a folder"),
    ("under a file", "a-file/build: cannot write the build here: File exists"),
    ("folder of other files", "is a folder holding other files (notes.txt)"),
])
def test_an_output_it_cannot_write_is_refused_by_name(where, message, tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "notes.txt").write_text("not a build")
    output = {"folder": tmp_path / "shared", "under a file": tmp_path / "a-file" / "build" / DATABASE_FILE,
              "folder of other files": tmp_path / "shared" / DATABASE_FILE}[where]
    assert build_main(["--output", str(output)]) == 1
    errors = capsys.readouterr().err
    assert message in errors and "Traceback" not in errors
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["a-file", "shared"]
    assert [p.name for p in (tmp_path / "shared").iterdir()] == ["notes.txt"]


def test_a_full_disk_is_refused_by_name_and_the_previous_build_kept(built, tmp_path):
    """The disk fills while the database is written (a file size limit stands in for it)."""
    output = copy_of(built, tmp_path)
    before = served_state(output.parent)

    def small_disk():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    result = subprocess.run([sys.executable, ROOT / "build_db.py", "--output", output], capture_output=True, text=True,
                            preexec_fn=small_disk)
    assert result.returncode == 1
    assert f"{output.parent}: cannot write the build here: " in result.stderr and "Traceback" not in result.stderr
    assert served_state(output.parent) == before
    assert not list(output.parent.parent.glob(".build.*.partial"))


def checkout_copy(tmp_path):
    """The files a build reads, in a folder of their own: these tests break the checkout's own package."""
    for name in ["pipeline", "data", "queries", "views"]:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "site").mkdir()
    for name in ["metadata.yml", "settings.json"]:
        shutil.copy2(ROOT / "site" / name, tmp_path / "site" / name)
    shutil.copy2(ROOT / "build_db.py", tmp_path)
    return tmp_path


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.unlink(), "datapackage.json: cannot read the data package: No such file or directory"),
    (lambda p: p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes()), "datapackage.json:1: file starts with a UTF-8 byte order mark"),
    (lambda p: p.write_text(p.read_text()[:-100]), "datapackage.json:"),
], ids=["missing", "byte order mark", "cut short"])
def test_a_broken_package_of_the_checkout_is_refused_without_a_traceback(damage, message, tmp_path):
    """`make build` reads the checkout's own data/datapackage.json before anything else (item 9)."""
    checkout = checkout_copy(tmp_path)
    damage(checkout / "data" / "datapackage.json")
    result = subprocess.run([sys.executable, "build_db.py"], cwd=checkout, capture_output=True, text=True)
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not (checkout / "build").exists()


def test_a_deep_parent_chain_is_checked_in_linear_time():
    """A 4,000-deep parent_id chain took 111 s to check (item 11); a loop closing it is still found, once."""
    depth = 4000
    schema = {"fields": [{"name": "id"}, {"name": "parent_id"}], "primaryKey": "id",
              "foreignKeys": [{"fields": "parent_id", "reference": {"resource": "", "fields": "id"}}]}
    chain = [(n + 2, {"id": f"o{n}", "parent_id": f"o{n + 1}" if n + 1 < depth else None}) for n in range(depth)]
    started = time.perf_counter()
    assert list(validate_hierarchies(Table("organizations", Path("organizations.csv"), schema, chain))) == []
    chain[-1][1]["parent_id"] = "o0"
    problems = list(validate_hierarchies(Table("organizations", Path("organizations.csv"), schema, chain)))
    assert time.perf_counter() - started < 2
    assert len(problems) == 1 and problems[0].line == 2 and problems[0].message.endswith("-> o0 is a cycle")


def test_edtf_bounds_agree_with_the_edtf_grammar_on_every_date_of_the_data(package):
    """The bounds are arithmetic (cheap for any input); the grammar, the reference, agrees on every date."""
    dates = {row[f["name"]] for r in package["resources"] for f in r["schema"]["fields"] if f.get("edtf")
             for row in read_rows(r["name"]) if row[f["name"]]}
    assert dates
    for value in dates:
        parsed = parse_edtf(value)
        low, high = parsed.lower_strict(), parsed.upper_strict()
        assert edtf_bounds(value) == (f"{low.tm_year:04d}-{low.tm_mon:02d}-{low.tm_mday:02d}",
                                      f"{high.tm_year:04d}-{high.tm_mon:02d}-{high.tm_mday:02d}"), value


def test_edtf_grammar_cache_is_bounded():
    """The parse cache kept every string ever given (item 1): it stays at its bound however many come."""
    parse_edtf.cache_clear()
    for n in range(parse_edtf.cache_info().maxsize + 500):
        parse_edtf(f"{n:040d}")  # distinct and over the length the grammar is given: no 5 ms parse each
    assert parse_edtf.cache_info().currsize == parse_edtf.cache_info().maxsize
