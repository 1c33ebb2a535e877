"""Build the folder Datasette serves from what people edit.

    data/ (CSVs, datapackage.json) ─┐
    views/*.sql                     ├─> build/bolivian_trotskyism.db, inspect-data.json,
    queries/*.sql                   │         metadata.json, settings.json
    site/metadata.yml, settings.json┘

Everything is checked; on any problem the build prints them all as FILE:LINE: message and
leaves build/ as it was. The outputs are written into a staging folder beside build/ and
published by one atomic switch of the build/ symlink (pipeline/publish.py; a folder that holds
other files too gets them file by file). The data is written into the staging folder while it is
read, a table as soon as it is read and checked, its indexes built in a second thread while the
next is read (TableWriter); a problem found later only throws the staging folder away.
`--timings` prints each phase's seconds.
"""
import argparse
import concurrent.futures
import contextlib
import gc
import itertools
import json
import operator
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

import sqlite_utils

from . import layout, publish
from .edtf_dates import edtf_bounds
from .package import derived_date_fields, derived_target_fields, exactly_one_of_targets, load_package
from .problems import InvalidData, Problem, report_refusal
from .reconcile import create_name_table, declaration_problems, id_clashes
from .site import (datasette_metadata, name_clashes, read_queries, read_site_metadata, read_views, site_problems,
                   view_column_problems)
from .validate import tuple_getter, validate

FTS_TOKENIZER = "unicode61 remove_diacritics 2"
UNDATED_ORDER = "9999-12-31"
SQLITE_TYPES = {"string": str, "integer": int, "number": float, "boolean": int}
# See create_table: None is bound as '' and made NULL again in SQL.
NULL_AS_EMPTY = {None: ""}
NULLABLE_PARAMETER = "nullif(?, '')"
BUILD_CACHE_KIB = 32 * 1024  # SQLite's page cache while building; bounded, and only during the build


RUNNING_PHASES = threading.local()


@contextlib.contextmanager
def timed(timings, phase):
    """Add the seconds the block takes, wall clock and this thread's CPU, to `timings[phase]` (what
    --timings prints). A phase timed inside another pauses it: a thread's second counts in one phase."""
    running = RUNNING_PHASES.__dict__.setdefault("stack", [])

    def count(entry):
        timings, phase, (wall, cpu) = entry
        now = entry[2] = time.perf_counter(), time.thread_time()
        total = timings.get(phase, (0.0, 0.0))
        timings[phase] = (total[0] + now[0] - wall, total[1] + now[1] - cpu)

    if running:
        count(running[-1])
    running.append([timings, phase, (time.perf_counter(), time.thread_time())])
    try:
        yield
    finally:
        count(running.pop())
        if running:
            running[-1][2] = time.perf_counter(), time.thread_time()


def derived_dates(value):
    """(earliest, latest, year, decade, order) of one EDTF date, in DERIVATIONS["edtf"] order."""
    earliest, latest = edtf_bounds(value)
    first, last = (int(day[:4]) if day else None for day in (earliest, latest))
    # A year only where the date names one; 195X spans a decade, not a year.
    year = first if first is not None and first == last else None
    decade = first // 10 * 10 if first is not None and first // 10 == last // 10 else None
    # SQLite sorts NULL first: the tables' default sort uses this key so undated rows come last.
    return earliest, latest, year, decade, earliest or UNDATED_ORDER


def row_values(table, date_fields):
    """Each row's values as the insert binds them (see create_table): the declared columns, then for each
    date field in `date_fields` its derived columns, None as ''. Put together without Python code per row
    or cell (map, tee); the derived columns are computed once per distinct date."""
    rows = [row for _, row in table.rows]
    values = map(tuple_getter(list(table.fields)), rows)
    for name, _ in date_fields:
        derived = {value: derived_dates(value) for value in set(map(operator.itemgetter(name), rows))}
        values = map(operator.add, values, map(derived.__getitem__, map(operator.itemgetter(name), rows)))
    values, same_values = itertools.tee(values)
    return map(tuple, map(map, itertools.repeat(NULL_AS_EMPTY.get), values, same_values))


def add_target_columns(db, package, table):
    """Generated columns naming the one filled column of exactlyOneOf: its table and its id, indexed."""
    targets = exactly_one_of_targets(table.schema)
    table_field, id_field = (f["name"] for f in derived_target_fields(package, table.schema))
    cases = " ".join(f"WHEN [{column}] IS NOT NULL THEN '{target}'" for column, target in targets.items())
    db.execute(f"ALTER TABLE [{table.name}] ADD COLUMN [{table_field}] TEXT GENERATED ALWAYS AS (CASE {cases} END) VIRTUAL")
    db.execute(f"ALTER TABLE [{table.name}] ADD COLUMN [{id_field}] TEXT GENERATED ALWAYS AS "
               f"(coalesce({', '.join(f'[{c}]' for c in targets)})) VIRTUAL")
    db[table.name].create_index([table_field, id_field], if_not_exists=True)


def date_columns(package, table):
    """[(date field, (earliest, latest, year, decade, order) column names derived from it)]."""
    return [(name, tuple(f["name"] for f in derived_date_fields(package, name))) for name in table.date_fields()]


def create_table(db, package, table, timings):
    """The table and its rows; index_table adds the rest."""
    derived = {name: derived_date_fields(package, name) for name in table.date_fields()}
    dates = date_columns(package, table)
    columns = {name: SQLITE_TYPES[f.get("type", "string")] for name, f in table.fields.items()}
    for fields in derived.values():
        columns.update((f["name"], SQLITE_TYPES[f["type"]]) for f in fields)
    not_null = {name for name, f in table.fields.items() if f.get("constraints", {}).get("required")}
    db[table.name].create(columns, pk=table.primary_key, not_null=not_null,
                          foreign_keys=[(c, t, tc) for c, t, tc in table.foreign_keys])
    # One executemany instead of insert_all: the values are already typed and validated, and
    # sqlite-utils' per-value JSON detection was half the build time at 1000x the data. Python's
    # sqlite3 binds None through its adapter lookup, several times slower than a string: an empty
    # cell goes as '', which no typed value is (validation makes every empty cell None), and
    # nullif() makes it NULL again.
    names = list(columns)
    with timed(timings, "insert rows"), db.conn:
        db.conn.executemany(
            f"insert into [{table.name}] ({', '.join(f'[{n}]' for n in names)}) "
            f"values ({', '.join([NULLABLE_PARAMETER] * len(names))})",
            row_values(table, dates),
        )


def index_table(db, package, table, timings):
    """The table's indexes, generated columns and full-text index, once its rows are in."""
    indexed = [c for c, _, _ in table.foreign_keys]
    for name, (earliest, _, year, _, order) in date_columns(package, table):
        indexed += [name, earliest, year, order]
    with timed(timings, "indexes"):
        for column in indexed:
            db[table.name].create_index([column], if_not_exists=True)
        for columns in table.schema.get("indexes", []):  # named by its first two columns: all of them make too long a word for a phone
            db[table.name].create_index(columns, index_name=f"idx_{table.name}_by_{'_'.join(columns[:2])}", if_not_exists=True)
        if table.schema.get("exactlyOneOf"):
            add_target_columns(db, package, table)
    if table.schema.get("fullTextSearch"):
        with timed(timings, "full-text search"):
            db[table.name].enable_fts(table.schema["fullTextSearch"], tokenize=FTS_TOKENIZER, create_triggers=False)


class TableWriter:
    """The database being built, each table written as soon as it is read and checked (validate's
    each_table): its rows in this thread, then its indexes and full-text index in a second thread while
    the next table is read. SQLite lets go of the GIL while it builds an index; inserting rows needs the
    GIL, so the next table's rows wait for those indexes. The statements run in the order one thread
    would run them, so the database is the same, byte for byte."""

    def __init__(self, path, package, timings):
        self.db = sqlite_utils.Database(sqlite3.connect(path, check_same_thread=False))
        # A crash mid-build only loses the temporary file, so skip the journal and fsyncs.
        self.db.execute("pragma journal_mode = off")
        self.db.execute("pragma synchronous = off")
        # Rows go into each text primary key's index in file order, that is at random places: with
        # SQLite's default 2 MB of cache each insert rereads pages (twice the insert time at 1000x).
        self.db.execute(f"pragma cache_size = -{BUILD_CACHE_KIB}")
        self.package, self.timings = package, timings
        self.indexer = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="indexer")
        self.indexing = None

    def add(self, table):
        with timed(self.timings, "waiting for indexes"):
            self.wait()
        create_table(self.db, self.package, table, self.timings)
        self.indexing = self.indexer.submit(index_table, self.db, self.package, table, self.timings)

    def wait(self):
        """Until the last table's indexes are built; their error, if any, raised here."""
        indexing, self.indexing = self.indexing, None
        if indexing is not None:
            indexing.result()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        # Never leave the thread writing into a staging folder that is about to be removed.
        with contextlib.suppress(Exception) if kind else contextlib.nullcontext():
            self.wait()
        self.indexer.shutdown()


def column_names(db, table):
    """Every column, generated ones included (table_info leaves those out)."""
    return [row[1] for row in db.execute(f"pragma table_xinfo([{table}])")]


def create_views(db, views):
    """Each view in name order, retried until those it depends on exist. A view whose header says
    `materialize: true` is computed once here into a table of that name, its rows in the view's order."""
    pending, problems = dict(views), []
    while pending:
        created = []
        for name, view in pending.items():
            kind = "TABLE" if view.header.get("materialize") else "VIEW"
            try:
                db.execute(f"CREATE {kind} [{name}] AS\n{view.sql}")
                db.execute(f"select * from [{name}] limit 0")
                created.append(name)
            except Exception as error:
                db.execute(f"DROP {kind} IF EXISTS [{name}]")
                last_error = (view, error)
        if not created:
            view, error = last_error
            return [Problem(view.path, view.sql_line, "", f"SQL error: {error}")]
        for name in created:
            del pending[name]
            problems += view_column_problems(views[name], column_names(db, name))
    return problems


def inspect_data(db_path, final_path, counts):
    from datasette.inspect import inspect_hash

    return {final_path.stem: {
        "hash": inspect_hash(db_path),
        "size": db_path.stat().st_size,
        "file": final_path.name,  # config-directory mode matches immutables by file name
        "tables": {name: {"count": n} for name, n in counts.items()},
    }}


def build(data_dir=layout.DATA, output=layout.BUILD / layout.DATABASE_FILE, *, queries_dir=layout.QUERIES,
          views_dir=layout.VIEWS, site_metadata=layout.SITE_METADATA, settings=layout.SETTINGS, timings=None):
    """Check every input, then write the database and its metadata, inspect and settings files beside it.
    `timings`, a dict, receives the seconds of each phase."""
    timings = {} if timings is None else timings
    with timed(timings, "package, queries, views, site"):
        package = load_package(data_dir / "datapackage.json")
        database = package["name"].replace("-", "_")
        problems = []
        queries = read_queries(queries_dir, problems)
        views = read_views(views_dir, problems)
        metadata = read_site_metadata(site_metadata, problems)
        problems += name_clashes(queries, views, [r["name"] for r in package["resources"]])
        problems += declaration_problems(data_dir / "datapackage.json", package, views)
    output = Path(os.path.abspath(output))  # not resolved: its folder is the symlink the build switches
    with contextlib.ExitStack() as stack:
        # The data is written while it is read (TableWriter), into a staging folder that is removed if
        # anything is wrong; a problem with the output is reported only if the data has none.
        unusable_output, writer, digests = None, None, {}
        try:
            if output.is_dir():
                raise InvalidData([Problem(output, 0, "", "the output must be a database file path, not a folder")])
            # Unwritable or full: InvalidData naming the folder.
            folder = stack.enter_context(publish.staged(output.parent, known_digests=digests))
        except InvalidData as error:
            unusable_output = error
        else:
            tmp_db = folder / output.name
            writer = None if problems else stack.enter_context(TableWriter(tmp_db, package, timings))
        try:
            with timed(timings, "read and check data"):
                tables = validate(data_dir, package, writer.add if writer else None)
        except InvalidData as error:
            raise InvalidData(error.problems + problems) from None
        with timed(timings, "read and check data"):
            problems += id_clashes(package, tables)
        if problems:
            raise InvalidData(problems)
        if unusable_output:
            raise unusable_output
        with timed(timings, "waiting for indexes"):
            writer.wait()
        db = writer.db
        with timed(timings, "entity names"):
            create_name_table(db, package, tables)
        with timed(timings, "views"):
            problems = create_views(db, views)
        with timed(timings, "site checks and counts"):
            columns = {name: column_names(db, name) for name in db.table_names() + db.view_names()}
            problems += site_problems(metadata, site_metadata, database, columns, queries)
            if problems:
                raise InvalidData(problems)
            counts = {t: db[t].count for t in db.table_names()}
        db.execute("pragma journal_mode = delete")
        db.close()
        with timed(timings, "inspect file"):
            inspect = inspect_data(tmp_db, output, counts)
            digests[output.name] = inspect[output.stem]["hash"]  # the sha256 publishing names the folder by
            (folder / "inspect-data.json").write_text(json.dumps(inspect, indent=2))
        with timed(timings, "metadata file"):
            (folder / "metadata.json").write_text(json.dumps(datasette_metadata(metadata, package, views, queries, database),
                                                             indent=2, ensure_ascii=False))
        (folder / "settings.json").write_text(settings.read_text(encoding="utf-8"))
        publishing = time.perf_counter(), time.thread_time()
    timings["publish"] = (time.perf_counter() - publishing[0], time.thread_time() - publishing[1])
    return {name: len(table.rows) for name, table in tables.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check data/, queries/, views/ and site/, and build the folder Datasette serves.")
    parser.add_argument("--data", type=Path, default=layout.DATA, help="folder with datapackage.json and the CSVs")
    parser.add_argument("--queries", type=Path, default=layout.QUERIES, help="folder of canned queries (*.sql)")
    parser.add_argument("--views", type=Path, default=layout.VIEWS, help="folder of views (*.sql)")
    parser.add_argument("--site-metadata", type=Path, default=layout.SITE_METADATA, help="the site's metadata.yml")
    parser.add_argument("--output", type=Path, default=layout.BUILD / layout.DATABASE_FILE,
                        help="database to write; metadata.json, inspect-data.json and settings.json go beside it")
    parser.add_argument("--timings", action="store_true", help="print the seconds of each phase of the build to stderr")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    timings = {}
    # Millions of row dicts, no reference cycles: the cyclic collector would only rescan the
    # growing heap again and again (a quarter of the time at 1000x the data).
    gc.disable()
    try:
        counts = build(args.data, args.output, queries_dir=args.queries, views_dir=args.views, site_metadata=args.site_metadata,
                       timings=timings)
    except InvalidData as error:
        return report_refusal(error, "refused", f"{args.output} left as it was")
    finally:
        gc.enable()
        if args.timings:
            # CPU beside wall clock: on a shared machine the wall clock also counts other processes' turns.
            for phase, (wall, cpu) in [*timings.items(), ("total", (time.perf_counter() - started, time.process_time()))]:
                print(f"{phase + ':':<32}{wall:7.2f} s  (CPU {cpu:6.2f} s)", file=sys.stderr)
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"built {args.output} in {time.perf_counter() - started:.2f}s: {summary}")
    return 0
