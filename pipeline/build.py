"""Build the folder Datasette serves from what people edit.

    data/ (CSVs, datapackage.json) ─┐
    views/*.sql                     ├─> build/bolivian_trotskyism.db, inspect-data.json,
    queries/*.sql                   │         metadata.json, settings.json
    site/metadata.yml, settings.json┘

Everything is checked first; on any problem the build prints them all as FILE:LINE: message
and leaves build/ as it was. The outputs are written into a staging folder beside build/ and
published by one atomic switch of the build/ symlink (pipeline/publish.py).
"""
import argparse
import gc
import json
import operator
import os
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
from .validate import validate

FTS_TOKENIZER = "unicode61 remove_diacritics 2"
UNDATED_ORDER = "9999-12-31"
SQLITE_TYPES = {"string": str, "integer": int, "number": float, "boolean": int}


def with_derived_dates(row, date_fields):
    """`date_fields`: [(field, (earliest, latest, year, decade, order) column names)]."""
    row = dict(row)
    for name, (earliest, latest, year, decade, order) in date_fields:
        row[earliest], row[latest] = edtf_bounds(row[name])
        # SQLite sorts NULL first: the tables' default sort uses this key so undated rows come last.
        row[order] = row[earliest] or UNDATED_ORDER
        first, last = (int(day[:4]) if day else None for day in (row[earliest], row[latest]))
        # A year only where the date names one; 195X spans a decade, not a year.
        row[year] = first if first is not None and first == last else None
        row[decade] = first // 10 * 10 if first is not None and first // 10 == last // 10 else None
    return row


def add_target_columns(db, package, table):
    """Generated columns naming the one filled column of exactlyOneOf: its table and its id, indexed."""
    targets = exactly_one_of_targets(table.schema)
    table_field, id_field = (f["name"] for f in derived_target_fields(package, table.schema))
    cases = " ".join(f"WHEN [{column}] IS NOT NULL THEN '{target}'" for column, target in targets.items())
    db.execute(f"ALTER TABLE [{table.name}] ADD COLUMN [{table_field}] TEXT GENERATED ALWAYS AS (CASE {cases} END) VIRTUAL")
    db.execute(f"ALTER TABLE [{table.name}] ADD COLUMN [{id_field}] TEXT GENERATED ALWAYS AS "
               f"(coalesce({', '.join(f'[{c}]' for c in targets)})) VIRTUAL")
    db[table.name].create_index([table_field, id_field], if_not_exists=True)


def create_table(db, package, table):
    derived = {name: derived_date_fields(package, name) for name in table.date_fields()}
    dates = [(name, tuple(f["name"] for f in fields)) for name, fields in derived.items()]
    columns = {name: SQLITE_TYPES[f.get("type", "string")] for name, f in table.fields.items()}
    for fields in derived.values():
        columns.update((f["name"], SQLITE_TYPES[f["type"]]) for f in fields)
    not_null = {name for name, f in table.fields.items() if f.get("constraints", {}).get("required")}
    db[table.name].create(columns, pk=table.primary_key, not_null=not_null,
                          foreign_keys=[(c, t, tc) for c, t, tc in table.foreign_keys])
    # One executemany instead of insert_all: the values are already typed and validated, and
    # sqlite-utils' per-value JSON detection was half the build time at 1000x the data.
    names = list(columns)
    values = operator.itemgetter(*names)
    rows = (row for _, row in table.rows)
    if dates:
        rows = (with_derived_dates(row, dates) for row in rows)
    with db.conn:
        db.conn.executemany(
            f"insert into [{table.name}] ({', '.join(f'[{n}]' for n in names)}) values ({', '.join('?' * len(names))})",
            map(values, rows),
        )
    indexed = [c for c, _, _ in table.foreign_keys]
    for name, (earliest, _, year, _, order) in dates:
        indexed += [name, earliest, year, order]
    for column in indexed:
        db[table.name].create_index([column], if_not_exists=True)
    if table.schema.get("exactlyOneOf"):
        add_target_columns(db, package, table)
    if table.schema.get("fullTextSearch"):
        db[table.name].enable_fts(table.schema["fullTextSearch"], tokenize=FTS_TOKENIZER, create_triggers=False)


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
          views_dir=layout.VIEWS, site_metadata=layout.SITE_METADATA, settings=layout.SETTINGS):
    """Check every input, then write the database and its metadata, inspect and settings files beside it."""
    package = load_package(data_dir / "datapackage.json")
    database = package["name"].replace("-", "_")
    problems = []
    queries = read_queries(queries_dir, problems)
    views = read_views(views_dir, problems)
    metadata = read_site_metadata(site_metadata, problems)
    problems += name_clashes(queries, views, [r["name"] for r in package["resources"]])
    problems += declaration_problems(data_dir / "datapackage.json", package, views)
    try:
        tables = validate(data_dir, package)
    except InvalidData as error:
        raise InvalidData(error.problems + problems) from None
    problems += id_clashes(package, tables)
    if problems:
        raise InvalidData(problems)

    output = Path(os.path.abspath(output))  # not resolved: its folder is the symlink the build switches
    if output.is_dir():
        raise InvalidData([Problem(output, 0, "", "the output must be a database file path, not a folder")])
    with publish.staged(output.parent) as folder:  # unwritable or full: InvalidData naming the folder
        tmp_db = folder / output.name
        db = sqlite_utils.Database(tmp_db)
        # A crash mid-build only loses the temporary file, so skip the journal and fsyncs.
        db.execute("pragma journal_mode = off")
        db.execute("pragma synchronous = off")
        for table in tables.values():
            create_table(db, package, table)
        create_name_table(db, package, tables)
        problems = create_views(db, views)
        columns = {name: column_names(db, name) for name in db.table_names() + db.view_names()}
        problems += site_problems(metadata, site_metadata, database, columns, queries)
        if problems:
            raise InvalidData(problems)
        counts = {t: db[t].count for t in db.table_names()}
        db.execute("pragma journal_mode = delete")
        db.close()
        (folder / "inspect-data.json").write_text(json.dumps(inspect_data(tmp_db, output, counts), indent=2))
        (folder / "metadata.json").write_text(json.dumps(datasette_metadata(metadata, package, views, queries, database), indent=2, ensure_ascii=False))
        (folder / "settings.json").write_text(settings.read_text(encoding="utf-8"))
    return {name: len(table.rows) for name, table in tables.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description="Check data/, queries/, views/ and site/, and build the folder Datasette serves.")
    parser.add_argument("--data", type=Path, default=layout.DATA, help="folder with datapackage.json and the CSVs")
    parser.add_argument("--queries", type=Path, default=layout.QUERIES, help="folder of canned queries (*.sql)")
    parser.add_argument("--views", type=Path, default=layout.VIEWS, help="folder of views (*.sql)")
    parser.add_argument("--site-metadata", type=Path, default=layout.SITE_METADATA, help="the site's metadata.yml")
    parser.add_argument("--output", type=Path, default=layout.BUILD / layout.DATABASE_FILE,
                        help="database to write; metadata.json, inspect-data.json and settings.json go beside it")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    # Millions of row dicts, no reference cycles: the cyclic collector would only rescan the
    # growing heap again and again (a quarter of the time at 1000x the data).
    gc.disable()
    try:
        counts = build(args.data, args.output, queries_dir=args.queries, views_dir=args.views, site_metadata=args.site_metadata)
    except InvalidData as error:
        return report_refusal(error, "refused", f"{args.output} left as it was")
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"built {args.output} in {time.perf_counter() - started:.2f}s: {summary}")
    return 0
