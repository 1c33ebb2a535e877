#!/usr/bin/env python3
"""Validate data/ against data/datapackage.json and build the SQLite database.

usage: python build_db.py [--data DIR] [--output PATH]

Every rule comes from datapackage.json: Frictionless field constraints (required,
unique, pattern, enum, minimum, maximum), primaryKey and foreignKeys, plus four
properties of our own on a table schema:

  exactlyOneOf      columns of which each row fills exactly one
  citedBy           "table.column" that must reference every row of this table
  distinctFields    columns that must not hold the same value in one row
  spans             [start, end] date columns where end may not precede start

Fields with "edtf": true are EDTF dates; the build derives for each one
<column>_earliest / <column>_latest (ISO days) and <prefix>_year / <prefix>_decade.
Full-text search columns are listed in the table's "fullTextSearch".

All problems are reported together, one per line as FILE:LINE: column COL: message,
and the build exits 1 without touching an existing database. On success the database
is written to a temporary file and renamed over PATH, with inspect-data.json beside it.
"""
import argparse
import csv
import gc
import json
import operator
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import edtf
import sqlite_utils

HERE = Path(__file__).resolve().parent
BOM = b"\xef\xbb\xbf"
FTS_TOKENIZER = "unicode61 remove_diacritics 2"
SQLITE_TYPES = {"string": str, "integer": int, "number": float}
INTEGER = re.compile(r"-?\d+")


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    column: str
    message: str

    def __str__(self):
        where = f"{self.path}:{self.line}"
        return f"{where}: column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


class InvalidData(Exception):
    def __init__(self, problems):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass
class Table:
    """One resource of the package: its schema and the rows read from its CSV."""

    name: str
    path: Path
    schema: dict
    rows: list  # (line number, {column: typed value or None})

    @property
    def fields(self):
        return {f["name"]: f for f in self.schema["fields"]}

    @property
    def primary_key(self):
        return self.schema["primaryKey"]

    @property
    def foreign_keys(self):
        return [(fk["fields"], fk["reference"]["resource"], fk["reference"]["fields"]) for fk in self.schema.get("foreignKeys", [])]

    def date_fields(self):
        return [f["name"] for f in self.schema["fields"] if f.get("edtf")]


def load_package(data_dir):
    return json.loads((data_dir / "datapackage.json").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- reading files


def read_csv(path, schema, problems):
    """Rows of one CSV as (line, {column: text}); file-level problems go to `problems`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path, 0, "", "file is missing (declared in datapackage.json)"))
        return []
    if raw.startswith(BOM):
        problems.append(Problem(path, 1, "", "file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM"))
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(path, line, "", f"byte {raw[error.start]:#x} is not UTF-8; save the file as UTF-8"))
        return []

    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(path, 1, "", "file is empty; expected a header row"))
        return []
    except csv.Error as error:
        problems.append(Problem(path, 1, "", f"malformed CSV: {error}"))
        return []
    declared = [f["name"] for f in schema["fields"]]
    for column in declared:
        if column not in header:
            problems.append(Problem(path, 1, column, "missing column declared in datapackage.json"))
    for column in header:
        if column not in declared:
            problems.append(Problem(path, 1, column, f"unknown column; expected only {', '.join(declared)}"))
    if len(set(header)) != len(header):
        problems.append(Problem(path, 1, "", "header repeats a column name"))

    rows = []
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(Problem(path, reader.line_num, "", f"malformed CSV: {error}"))
            break
        start_line, line = line + 1, reader.line_num
        if start_line != line:
            problems.append(Problem(path, start_line, "", "a quoted cell spans several lines; keep each row on one line"))
        if not cells:
            continue
        if len(cells) != len(header):
            problems.append(Problem(path, start_line, "", f"row has {len(cells)} cells, expected {len(header)} like the header"))
            continue
        rows.append((start_line, dict(zip(header, cells))))
    return rows


# ---------------------------------------------------------------- checking values


@lru_cache(maxsize=None)
def parse_edtf(value):
    """The parsed EDTF date, or None; cached because the edtf grammar is slow (~5 ms a call)."""
    try:
        return edtf.parse_edtf(value)
    except Exception:
        return None


def convert_cell(value, field):
    """The typed value of one cell, or raise ValueError with what was expected."""
    kind = field.get("type", "string")
    if kind == "integer":
        if not INTEGER.fullmatch(value):
            raise ValueError(f"{value!r} is not a whole number")
        return int(value)
    if kind == "number":
        try:
            return float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
    return value


def cell_checker(field):
    """A function giving the problems of one non-empty typed value against its field's constraints."""
    constraints = field.get("constraints", {})
    pattern = re.compile(constraints["pattern"]) if "pattern" in constraints else None
    enum = set(constraints["enum"]) if "enum" in constraints else None
    allowed = ", ".join(map(str, constraints.get("enum", [])))
    minimum, maximum = constraints.get("minimum"), constraints.get("maximum")
    is_edtf = field.get("edtf", False)

    def problems_of(value):
        messages = []
        if pattern and not pattern.fullmatch(str(value)):
            messages.append(f"{value!r} does not match the pattern {pattern.pattern}")
        if enum is not None and value not in enum:
            messages.append(f"{value!r} is not one of the allowed values: {allowed}")
        if minimum is not None and value < minimum:
            messages.append(f"{value!r} is below the minimum {minimum}")
        if maximum is not None and value > maximum:
            messages.append(f"{value!r} is above the maximum {maximum}")
        if is_edtf and not messages and parse_edtf(value) is None:
            messages.append(f"{value!r} is not a valid EDTF date (expected 1952, 1952-04, 1952-04-09, 1952?, 1952~ or 195X)")
        return messages

    return problems_of


def typed_rows(path, schema, raw_rows, problems):
    """Convert cells to their declared types, checking each against its field.

    This loop sees every cell (millions at scale), so each field's checks are built once and
    their verdicts remembered per distinct value: roles, stances and foreign keys recur.
    """
    fields = [(f["name"], f, f.get("constraints", {}).get("required", False), f.get("type", "string") == "string",
               cell_checker(f), {}) for f in schema["fields"]]
    rows = []
    for line, raw in raw_rows:
        row = {}
        for column, field, required, is_text, problems_of, verdicts in fields:
            value = raw.get(column, "")
            if value and (value[0].isspace() or value[-1].isspace()):
                problems.append(Problem(path, line, column, f"{value!r} has leading or trailing whitespace"))
                value = value.strip()
            if not value:
                if required:
                    problems.append(Problem(path, line, column, "is empty but required"))
                row[column] = None
                continue
            if not is_text:
                try:
                    value = convert_cell(value, field)
                except ValueError as error:
                    problems.append(Problem(path, line, column, str(error)))
                    row[column] = None
                    continue
            row[column] = value
            messages = verdicts.get(value)
            if messages is None:
                messages = verdicts[value] = problems_of(value)
            for message in messages:
                problems.append(Problem(path, line, column, message))
        rows.append((line, row))
    return rows


def validate_unique(table):
    unique = [name for name, f in table.fields.items() if f.get("constraints", {}).get("unique")]
    if table.primary_key not in unique:
        unique.append(table.primary_key)
    for column in unique:
        seen = {}
        for line, row in table.rows:
            value = row[column]
            if value is None:
                continue
            if value in seen:
                yield Problem(table.path, line, column, f"{value!r} repeats the value on line {seen[value]}; must be unique")
            else:
                seen[value] = line


def validate_foreign_keys(table, tables):
    for column, target, target_column in table.foreign_keys:
        known = {row[target_column] for _, row in tables[target].rows}
        for line, row in table.rows:
            if row[column] is not None and row[column] not in known:
                yield Problem(table.path, line, column, f"{row[column]!r} is not an {target_column} in {target}.csv")


def validate_exactly_one_of(table):
    columns = table.schema.get("exactlyOneOf")
    if not columns:
        return
    for line, row in table.rows:
        filled = [c for c in columns if row[c] is not None]
        if len(filled) != 1:
            found = ", ".join(filled) if filled else "none"
            yield Problem(table.path, line, "", f"must fill exactly one of {', '.join(columns)}; found {found}")


def validate_distinct_fields(table):
    columns = table.schema.get("distinctFields")
    if not columns:
        return
    for line, row in table.rows:
        values = [row[c] for c in columns if row[c] is not None]
        if len(values) != len(set(values)):
            yield Problem(table.path, line, columns[-1], f"{values[0]!r} may not be related to itself ({' and '.join(columns)} are equal)")


def validate_spans(table):
    for start, end in table.schema.get("spans", []):
        for line, row in table.rows:
            if row[start] is None or row[end] is None:
                continue
            earliest_start, _ = edtf_bounds(row[start])
            _, latest_end = edtf_bounds(row[end])
            if earliest_start and latest_end and latest_end < earliest_start:
                yield Problem(table.path, line, end, f"{row[end]!r} is before {start} {row[start]!r}")


def validate_cited(table, tables):
    cited_by = table.schema.get("citedBy")
    if not cited_by:
        return
    citing_table, citing_column = cited_by.split(".")
    cited = {row[citing_column] for _, row in tables[citing_table].rows}
    for line, row in table.rows:
        key = row[table.primary_key]
        if key is not None and key not in cited:
            yield Problem(table.path, line, table.primary_key, f"{key!r} has no citation (no row of {citing_table}.csv names it in {citing_column})")


def validate_hierarchies(table):
    """A self-referencing foreign key (parent_id) must not loop back on itself."""
    for column, target, target_column in table.foreign_keys:
        if target != table.name:
            continue
        parent = {row[target_column]: row[column] for _, row in table.rows if row[column] is not None}
        lines = {row[target_column]: line for line, row in table.rows}
        reported = set()
        for start in parent:
            seen, node = [], start
            while node in parent and node not in seen:
                seen.append(node)
                node = parent[node]
            if node in seen and node not in reported:
                loop = seen[seen.index(node):]
                reported.update(loop)
                yield Problem(table.path, lines[node], column, f"{' -> '.join(loop + [node])} is a cycle")


def read_tables(data_dir, package):
    problems, tables = [], {}
    for resource in package["resources"]:
        path = data_dir / resource["path"]
        raw_rows = read_csv(path, resource["schema"], problems)
        rows = typed_rows(path, resource["schema"], raw_rows, problems)
        tables[resource["name"]] = Table(resource["name"], path, resource["schema"], rows)
    return tables, problems


def validate(data_dir, package):
    """Read and check every table; raise InvalidData listing every problem."""
    tables, problems = read_tables(data_dir, package)
    for table in tables.values():
        problems.extend(validate_unique(table))
        problems.extend(validate_foreign_keys(table, tables))
        problems.extend(validate_exactly_one_of(table))
        problems.extend(validate_distinct_fields(table))
        problems.extend(validate_spans(table))
        problems.extend(validate_cited(table, tables))
        problems.extend(validate_hierarchies(table))
    if problems:
        raise InvalidData(problems)
    return tables


# ---------------------------------------------------------------- building


def derived_date_columns(field_name):
    prefix = field_name[: -len("_date")] if field_name.endswith("_date") else field_name
    return f"{field_name}_earliest", f"{field_name}_latest", f"{prefix}_year", f"{prefix}_decade"


def edtf_bounds(value):
    """(earliest, latest) ISO days an EDTF string can mean, or (None, None) if empty or invalid."""
    parsed = parse_edtf(value) if value else None
    if parsed is None:
        return None, None
    low, high = parsed.lower_strict(), parsed.upper_strict()
    return (f"{low.tm_year:04d}-{low.tm_mon:02d}-{low.tm_mday:02d}", f"{high.tm_year:04d}-{high.tm_mon:02d}-{high.tm_mday:02d}")


def with_derived_dates(row, date_fields):
    row = dict(row)
    for name in date_fields:
        earliest, latest, year, decade = derived_date_columns(name)
        row[earliest], row[latest] = edtf_bounds(row[name])
        first, last = (int(day[:4]) if day else None for day in (row[earliest], row[latest]))
        # A year only where the date names one; 195X spans a decade, not a year.
        row[year] = first if first is not None and first == last else None
        row[decade] = first // 10 * 10 if first is not None and first // 10 == last // 10 else None
    return row


def create_table(db, table):
    columns = {name: SQLITE_TYPES[f.get("type", "string")] for name, f in table.fields.items()}
    for name in table.date_fields():
        earliest, latest, year, decade = derived_date_columns(name)
        columns.update({earliest: str, latest: str, year: int, decade: int})
    not_null = {name for name, f in table.fields.items() if f.get("constraints", {}).get("required")}
    db[table.name].create(
        columns,
        pk=table.primary_key,
        not_null=not_null,
        foreign_keys=[(c, t, tc) for c, t, tc in table.foreign_keys],
    )
    dates = table.date_fields()
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
    for name in dates:
        earliest, _, year, _ = derived_date_columns(name)
        indexed += [name, earliest, year]
    for column in indexed:
        db[table.name].create_index([column], if_not_exists=True)
    search = table.schema.get("fullTextSearch")
    if search:
        db[table.name].enable_fts(search, tokenize=FTS_TOKENIZER, create_triggers=False)


def write_inspect_file(db_path, final_path, counts):
    from datasette.inspect import inspect_hash

    data = {
        final_path.stem: {
            "hash": inspect_hash(db_path),
            "size": db_path.stat().st_size,
            "file": final_path.name,  # config-directory mode matches immutables by file name
            "tables": {name: {"count": n} for name, n in counts.items()},
        }
    }
    inspect_path = final_path.with_name("inspect-data.json")
    tmp = inspect_path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=2))
    return tmp, inspect_path


def build(data_dir, output):
    package = load_package(data_dir)
    tables = validate(data_dir, package)
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.stem}-", suffix=".db", dir=output.parent)
    os.close(fd)
    tmp_path = Path(tmp_name)
    try:
        tmp_path.unlink()
        db = sqlite_utils.Database(tmp_path)
        # A crash mid-build only loses the temporary file, so skip the journal and fsyncs.
        db.execute("pragma journal_mode = off")
        db.execute("pragma synchronous = off")
        for table in tables.values():
            create_table(db, table)
        db.executescript((HERE / "views.sql").read_text(encoding="utf-8"))
        dangling = db.execute("pragma foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"foreign_key_check found {len(dangling)} dangling references: {dangling[:5]}")
        counts = {t: db[t].count for t in db.table_names()}
        db.execute("pragma journal_mode = delete")
        db.close()
        inspect_tmp, inspect_path = write_inspect_file(tmp_path, output, counts)
        os.replace(tmp_path, output)
        os.replace(inspect_tmp, inspect_path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return {name: len(table.rows) for name, table in tables.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / "data", help="folder with datapackage.json and the CSVs")
    parser.add_argument("--output", type=Path, default=HERE / "bolivian_trotskyism.db", help="database to write")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    # Millions of row dicts, no reference cycles: the cyclic collector would only rescan the
    # growing heap again and again (a quarter of the time at 1000x the data).
    gc.disable()
    try:
        counts = build(args.data, args.output)
    except InvalidData as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"refused: {len(error.problems)} problems in {args.data}; {args.output} left as it was", file=sys.stderr)
        return 1
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"built {args.output} in {time.perf_counter() - started:.2f}s: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
