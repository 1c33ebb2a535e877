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
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from conftest import DATA, DATABASE, ROOT, read_rows, write_rows
from pipeline import layout, publish, validate as validate_module
from pipeline.build import TableWriter, build, create_table, index_table, main as build_main
from pipeline.edtf_dates import edtf_bounds, parse_edtf
from pipeline.package import Table
from pipeline.problems import InvalidData
from pipeline.server import free_port, running_site
from pipeline.validate import validate, validate_hierarchies

DATABASE_FILE = layout.DATABASE_FILE


def test_build_command_prints_rows_per_table(tmp_path, package):
    output = tmp_path / "build" / "x.db"
    result = subprocess.run([sys.executable, ROOT / "build_db.py", "--output", output], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for resource in package["resources"]:
        assert f"{resource['name']} {len(read_rows(resource['name']))}" in result.stdout
    assert sorted(p.name for p in output.parent.iterdir()) == ["inspect-data.json", "metadata.json", "settings.json", "x.db"]
    assert output.parent.is_symlink()


def test_timings_give_each_phase_of_the_build(tmp_path):
    """`--timings` (what the benchmark of the build reads) prints every phase's wall-clock and CPU seconds."""
    result = subprocess.run([sys.executable, ROOT / "build_db.py", "--timings", "--output", tmp_path / "build" / DATABASE_FILE],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    timings = {}
    for line in result.stderr.splitlines():
        phase, _, figures = line.partition(":")
        wall, cpu = figures.replace("(CPU", "").replace("s)", "").split(" s ")
        timings[phase] = float(wall), float(cpu)
    for phase in ["read and check data", "insert rows", "indexes", "full-text search", "entity names", "views", "total"]:
        assert phase in timings, (phase, result.stderr)
    main_thread = ["read and check data", "insert rows", "entity names", "views"]
    assert timings["total"][0] >= sum(timings[phase][0] for phase in main_thread)


def test_empty_cells_are_null_never_empty_text(site_db, package):
    """The build binds an empty cell as '' and makes it NULL in SQL (pipeline/build.py): none is left as ''."""
    db = sqlite_utils.Database(site_db)
    for resource in package["resources"]:
        rows = read_rows(resource["name"])
        for field in resource["schema"]["fields"]:
            column = field["name"]
            counts = db.execute(f"select count(*) filter (where [{column}] is null), count(*) filter (where [{column}] = '') "
                                f"from [{resource['name']}]").fetchone()
            assert counts == (sum(not row[column].strip() for row in rows), 0), (resource["name"], column)


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
    ("in a file", "a-file: is a file; the build writes a folder here"),
])
def test_an_output_it_cannot_write_is_refused_by_name(where, message, tmp_path, capsys):
    (tmp_path / "a-file").write_text("")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "notes.txt").write_text("not a build")
    output = {"folder": tmp_path / "shared", "under a file": tmp_path / "a-file" / "build" / DATABASE_FILE,
              "in a file": tmp_path / "a-file" / DATABASE_FILE}[where]
    assert build_main(["--output", str(output)]) == 1
    errors = capsys.readouterr().err
    assert message in errors and "Traceback" not in errors
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["a-file", "shared"]
    assert [p.name for p in (tmp_path / "shared").iterdir()] == ["notes.txt"]


def test_bad_data_is_reported_before_a_problem_with_the_output(tmp_path, data_copy, capsys):
    """The data is written while it is read (pipeline/build.py), but what is wrong with it still comes first."""
    rows = read_rows("events", data_copy)
    rows[-1]["start_date"] = "1952-02-30"
    write_rows(data_copy, 'events', rows)
    (tmp_path / "a-folder").mkdir()
    assert build_main(["--data", str(data_copy), "--output", str(tmp_path / "a-folder")]) == 1
    errors = capsys.readouterr().err
    assert f"events.csv:{len(rows) + 1}: column start_date: '1952-02-30' is not a valid EDTF date" in errors
    assert "must be a database file path" not in errors and "Traceback" not in errors


@pytest.mark.parametrize("damage, shift", [
    (lambda text: text, 0),  # one row a line: the file is read in one call
    (lambda text: text.replace("\n", "\n\n", 2), 2),  # blank lines: read again row by row
    (lambda text: text.replace(",printed,", ',"print\ned",', 1), 1),  # a cell over two lines
], ids=["one row a line", "blank lines", "a cell over two lines"])
def test_problems_name_the_line_however_the_file_is_read(damage, shift, data_copy, package):
    rows = read_rows("people", data_copy)
    rows[-1]["id"] = "Not A Slug"
    write_rows(data_copy, 'people', rows)
    path = data_copy / "people.csv"
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InvalidData) as refused:
        validate(data_copy, package)
    messages = [str(p) for p in refused.value.problems]
    assert f"{path}:{len(rows) + 1 + shift}: column id: 'Not A Slug' does not match the pattern ^[a-z0-9]+(-[a-z0-9]+)*$" in messages


def read_apart_and_tell(*args):
    """validate.read_apart, leaving the id of the process it ran in where the test reads it."""
    Path(os.environ["READ_APART_PID"]).write_text(str(os.getpid()))
    return READ_APART(*args)


READ_APART = validate_module.read_apart


@pytest.mark.parametrize("broken", [False, True], ids=["valid", "with problems"])
def test_the_largest_table_read_in_a_second_process_gives_the_same_rows_and_problems(broken, data_copy, package, monkeypatch,
                                                                                     tmp_path):
    """At scale the largest CSV is read by a forked process while the others are read (pipeline/validate.py)."""
    if broken:
        for table, column in [("citations", "id"), ("people", "id"), ("citations", "stance")]:
            rows = read_rows(table, data_copy)
            rows[1][column] = " Not A Slug"
            write_rows(data_copy, table, rows)

    def outcome():
        try:
            return {name: table.rows for name, table in validate(data_copy, package).items()}
        except InvalidData as refused:
            return [str(problem) for problem in refused.problems]

    in_one_process = outcome()
    monkeypatch.setattr(validate_module, "READ_APART_BYTES", 0)
    monkeypatch.setattr(validate_module, "read_apart", read_apart_and_tell)
    monkeypatch.setenv("READ_APART_PID", str(tmp_path / "pid"))
    assert outcome() == in_one_process
    assert int((tmp_path / "pid").read_text()) != os.getpid()
    assert isinstance(in_one_process, list) == broken and (not broken or len(in_one_process) >= 4)


def test_indexing_beside_the_reading_writes_the_database_one_thread_would(tmp_path, package):
    """TableWriter builds a table's indexes in a second thread while the next table is read: the same
    statements in the same order as one thread running them in turn, so the same bytes."""
    with TableWriter(tmp_path / "beside.db", package, {}) as writer:
        tables = validate(DATA, package, writer.add)
        writer.wait()
        writer.db.close()
    with TableWriter(tmp_path / "in-turn.db", package, {}) as writer:
        for table in tables.values():
            create_table(writer.db, package, table, {})
            index_table(writer.db, package, table, {})
        writer.db.close()
    assert (tmp_path / "beside.db").read_bytes() == (tmp_path / "in-turn.db").read_bytes()
    assert sqlite_utils.Database(tmp_path / "beside.db")["citations"].count == len(read_rows("citations"))


def visible_files(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def test_a_folder_holding_other_files_gets_the_build_beside_them(tmp_path, data_copy, capsys):
    """`--output DIR/x.db` where DIR holds other files: the build's files are moved in one by one
    (pipeline/publish.py), the other files untouched; a rebuild replaces them; a refused build changes
    none of them; and the folder can be served."""
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "notes.txt").write_text("not a build")
    (shared / f".{shared.name}.0123456789ab.partial").mkdir()  # a killed build's staging folder
    output = shared / DATABASE_FILE
    assert build_main(["--output", str(output)]) == 0
    assert not shared.is_symlink() and not list(shared.glob(".*.partial"))
    first = visible_files(shared)
    assert sorted(first) == sorted(["inspect-data.json", "metadata.json", "notes.txt", "settings.json", DATABASE_FILE])
    assert first["notes.txt"] == b"not a build"
    assert json.loads(first["inspect-data.json"])[DATABASE]["hash"] == hashlib.sha256(first[DATABASE_FILE]).hexdigest()
    assert sqlite_utils.Database(output)["people"].count == len(read_rows("people"))

    settings = json.loads(layout.SETTINGS.read_text())
    (tmp_path / "settings.json").write_text(json.dumps({**settings, "default_page_size": 101}))
    database = output.stat().st_ino
    build(output=output, settings=tmp_path / "settings.json")
    second = visible_files(shared)
    assert json.loads(second["settings.json"])["default_page_size"] == 101
    assert output.stat().st_ino != database and second["notes.txt"] == b"not a build"

    rows = read_rows("people", data_copy)
    rows[0]["id"] = "Not A Slug"
    write_rows(data_copy, 'people', rows)
    capsys.readouterr()
    assert build_main(["--data", str(data_copy), "--output", str(output)]) == 1
    assert "people.csv:2: column id: 'Not A Slug' does not match the pattern" in capsys.readouterr().err
    assert visible_files(shared) == second and not list(shared.glob(".*.partial"))

    with running_site(build_dir=shared) as base:
        with urllib.request.urlopen(f"{base}/{DATABASE}/people.json?_shape=array&_size=max") as response:
            assert len(json.load(response)) == len(read_rows("people"))

    # Datasette would also serve, writable, any other database in the folder: such a folder is refused.
    sqlite_utils.Database(shared / "notes.sqlite")["notes"].insert({"text": "mine"})
    result = subprocess.run([sys.executable, "-m", "pipeline.server", "--build", str(shared), "--port", str(free_port())],
                            capture_output=True, text=True, cwd=layout.ROOT, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{shared}: holds other databases (notes.sqlite), which Datasette would serve too, writable" in result.stderr


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
