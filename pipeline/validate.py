"""Reading data/*.csv and checking every row against data/datapackage.json.

Every rule comes from the package: Frictionless field constraints (required, unique,
pattern, enum, minimum, maximum, minLength, maxLength), primaryKey and foreignKeys, and the
properties of our own that pipeline/package.py lists. All problems are collected and
reported together as FILE:LINE: column COL: message.
"""
import csv
import io
import math
import re

from .edtf_dates import edtf_bounds, is_dataset_date
from .package import Table
from .problems import InvalidData, Problem

BOM = b"\xef\xbb\xbf"
INTEGER = re.compile(r"-?\d+")
SQLITE_INTEGER = range(-(2**63), 2**63)
BOOLEANS = {"true": 1, "false": 0}
# A text cell starting with one of these is run as a formula by spreadsheets opening the CSV exports.
FORMULA_STARTS = ("=", "+", "-", "@")


# ---------------------------------------------------------------- reading files


def read_csv(path, schema, problems):
    """Rows of one CSV as (line, {column: text}); file-level problems go to `problems`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path, 0, "", "file is missing (declared in datapackage.json)"))
        return []
    except OSError as error:
        problems.append(Problem(path, 0, "", f"cannot be read as a file: {error.strerror}"))
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

    # Lines end at \n, \r\n or \r only (newline=""): str.splitlines would also break at U+2028,
    # NEL, VT, FF, FS, GS and RS inside a cell and shift every later line number.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
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


def convert_cell(value, field):
    """The typed value of one cell, or raise ValueError with what was expected."""
    kind = field.get("type", "string")
    if kind == "integer":
        if not INTEGER.fullmatch(value):
            raise ValueError(f"{value!r} is not a whole number")
        if int(value) not in SQLITE_INTEGER:
            raise ValueError(f"{value!r} is too large for a 64-bit integer")
        return int(value)
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a number") from None
        if not math.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number")
        return number
    if kind == "boolean":
        if value not in BOOLEANS:
            raise ValueError(f"{value!r} is not a boolean; expected true or false")
        return BOOLEANS[value]
    return value


def cell_checker(field):
    """A function giving the problems of one non-empty typed value against its field's constraints."""
    constraints = field.get("constraints", {})
    pattern = re.compile(constraints["pattern"]) if "pattern" in constraints else None
    enum = set(constraints["enum"]) if "enum" in constraints else None
    allowed = ", ".join(map(str, constraints.get("enum", [])))
    minimum, maximum = constraints.get("minimum"), constraints.get("maximum")
    min_length, max_length = constraints.get("minLength"), constraints.get("maxLength")
    is_edtf = field.get("edtf", False)
    is_text = field.get("type", "string") == "string"

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
        if min_length is not None and len(value) < min_length:
            messages.append(f"is {len(value)} characters long, shorter than the minimum {min_length}")
        if max_length is not None and len(value) > max_length:
            messages.append(f"is {len(value)} characters long, over the maximum {max_length}")
        if is_edtf and not messages and not is_dataset_date(value):
            messages.append(f"{value!r} is not a valid EDTF date of real calendar days "
                            "(expected 1952, 1952-04, 1952-04-09, 1952?, 1952~ or 195X)")
        if is_text and value.startswith(FORMULA_STARTS):
            messages.append(f"starts with {value[0]!r}, which a spreadsheet opening the CSV export would run as a formula")
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
    """A self-referencing foreign key (parent_id) must not loop back on itself.

    Each row is walked at most once (linear in the rows, however deep the chains): a walk stops
    at a row an earlier walk already cleared."""
    for column, target, target_column in table.foreign_keys:
        if target != table.name:
            continue
        parent = {row[target_column]: row[column] for _, row in table.rows if row[column] is not None}
        lines = {row[target_column]: line for line, row in table.rows}
        cleared = set()
        for start in parent:
            path, on_path, node = [], set(), start
            while node in parent and node not in cleared and node not in on_path:
                path.append(node)
                on_path.add(node)
                node = parent[node]
            if node in on_path:
                loop = path[path.index(node):]
                yield Problem(table.path, lines[node], column, f"{' -> '.join(loop + [node])} is a cycle")
            cleared.update(path)


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
