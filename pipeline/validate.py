"""Reading data/*.csv and checking every row against data/datapackage.json.

Every rule comes from the package: Frictionless field constraints (required, unique,
pattern, enum, minimum, maximum, minLength, maxLength), primaryKey and foreignKeys, and the
properties of our own that pipeline/package.py lists. All problems are collected and
reported together as FILE:LINE: column COL: message.
"""
import contextlib
import csv
import io
import math
import multiprocessing
import os
import pickle
import re
from itertools import repeat
from operator import itemgetter, methodcaller

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
    """One CSV as (header, line numbers, rows of cells); file-level problems go to `problems`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(Problem(path, 0, "", "file is missing (declared in datapackage.json)"))
        return [], [], []
    except OSError as error:
        problems.append(Problem(path, 0, "", f"cannot be read as a file: {error.strerror}"))
        return [], [], []
    if raw.startswith(BOM):
        problems.append(Problem(path, 1, "", "file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM"))
        raw = raw[len(BOM):]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(path, line, "", f"byte {raw[error.start]:#x} is not UTF-8; save the file as UTF-8"))
        return [], [], []

    # Lines end at \n, \r\n or \r only (newline=""): str.splitlines would also break at U+2028,
    # NEL, VT, FF, FS, GS and RS inside a cell and shift every later line number.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = list(reader)
    except csv.Error:
        records = None
    # The usual file, read in one call: every row one line long, each as long as the header. Anything
    # else is read again row by row, to name the line of each problem.
    if records and records[0] and reader.line_num == len(records) and len(set(map(len, records))) == 1:
        header_problems(path, records[0], schema, problems)
        return records[0], range(2, len(records) + 1), records[1:]
    return read_rows_one_by_one(path, text, schema, problems)


def header_problems(path, header, schema, problems):
    declared = [f["name"] for f in schema["fields"]]
    for column in declared:
        if column not in header:
            problems.append(Problem(path, 1, column, "missing column declared in datapackage.json"))
    for column in header:
        if column not in declared:
            problems.append(Problem(path, 1, column, f"unknown column; expected only {', '.join(declared)}"))
    if len(set(header)) != len(header):
        problems.append(Problem(path, 1, "", "header repeats a column name"))


def read_rows_one_by_one(path, text, schema, problems):
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        problems.append(Problem(path, 1, "", "file is empty; expected a header row"))
        return [], [], []
    except csv.Error as error:
        problems.append(Problem(path, 1, "", f"malformed CSV: {error}"))
        return [], [], []
    header_problems(path, header, schema, problems)

    lines, rows = [], []
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
        lines.append(start_line)
        rows.append(cells)
    return header, lines, rows


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


# The constraints whose cells cell_verdict checks on its short way, by type (the ids, names and notes
# that make up most cells); a field with any other is checked the long way only.
QUICK_CONSTRAINTS = {"string": {"required", "unique", "pattern", "enum", "minLength", "maxLength"},
                     "integer": {"required", "unique", "enum", "minimum", "maximum"}}
SHORT_INTEGER = 18  # digits: a whole number this short always fits in 64 bits


def cell_verdict(field):
    """A function giving, for one cell's text, its typed value (None for empty) and the messages about it."""
    kind = field.get("type", "string")
    constraints = field.get("constraints", {})
    required = constraints.get("required", False)
    problems_of = cell_checker(field)

    def long_way(value):
        messages = []
        if value and (value[0].isspace() or value[-1].isspace()):
            messages.append(f"{value!r} has leading or trailing whitespace")
            value = value.strip()
        if not value:
            if required:
                messages.append("is empty but required")
            return None, messages
        if kind != "string":
            try:
                value = convert_cell(value, field)
            except ValueError as error:
                return None, messages + [str(error)]
        return value, messages + problems_of(value)

    if kind not in QUICK_CONSTRAINTS or field.get("edtf") or not QUICK_CONSTRAINTS[kind].issuperset(constraints):
        return long_way
    pattern = re.compile(constraints["pattern"]) if "pattern" in constraints else None
    enum = set(constraints["enum"]) if "enum" in constraints else None
    minimum, maximum = constraints.get("minimum"), constraints.get("maximum")
    min_length, max_length = constraints.get("minLength"), constraints.get("maxLength")
    is_text = kind == "string"

    def verdict(text):
        """The short way: a text none of the field's checks would refuse, typed without building messages."""
        if not text or text[0].isspace() or text[-1].isspace():
            return long_way(text)
        if is_text:
            if text[0] in FORMULA_STARTS:
                return long_way(text)
            value = text
        elif len(text) <= SHORT_INTEGER and INTEGER.fullmatch(text):
            value = int(text)
        else:
            return long_way(text)
        if ((pattern is None or pattern.fullmatch(value)) and (enum is None or value in enum)
                and (minimum is None or value >= minimum) and (maximum is None or value <= maximum)
                and (min_length is None or len(value) >= min_length) and (max_length is None or len(value) <= max_length)):
            return value, ()
        return long_way(text)

    return verdict


def tuple_getter(keys):
    """A function giving a row's values at `keys` as a tuple (itemgetter gives a bare value for one key)."""
    return itemgetter(*keys) if len(keys) != 1 else lambda row: (row[keys[0]],)


NOT_SEEN = object()


def recurs(field, primary_key):
    """Whether a column's texts recur, so that its verdicts are worth remembering: not a key, not free text."""
    constraints = field.get("constraints", {})
    if constraints.get("unique") or field["name"] == primary_key:
        return False
    return field.get("type", "string") != "string" or field.get("edtf", False) or bool({"pattern", "enum"} & set(constraints))


def typed_values(path, schema, header, lines, cells, problems):
    """Each row's values in the order of the schema's fields (typed, None where empty), each cell
    checked against its field.

    Millions of cells at scale: the verdict on each text of a column whose texts recur (roles, stances,
    foreign keys) is remembered, so such cells are typed by a dictionary lookup, without Python code
    per cell; the keys and free texts are checked cell by cell."""
    fields = schema["fields"]
    names = [field["name"] for field in fields]
    position = {column: index for index, column in enumerate(header)}  # a repeated column: its last, as dict(zip()) did
    missing = [name for name in names if name not in position]
    if missing:  # read as empty (the header's problem is reported)
        position.update((name, len(header) + n) for n, name in enumerate(missing))
        cells = [row + [""] * len(missing) for row in cells]
    pick = tuple_getter([position[name] for name in names])
    verdicts = [cell_verdict(field) for field in fields]
    every_cell = [index for index, field in enumerate(fields) if not recurs(field, schema.get("primaryKey"))]
    typed = [{} for _ in names]  # per column whose texts recur: text -> typed value
    refused = [{} for _ in names]  # per column whose texts recur: text -> messages, for the texts that have problems
    not_seen = repeat(NOT_SEEN)
    rows = []
    for line, row in zip(lines, cells):
        texts = pick(row)
        values = list(map(dict.get, typed, texts, not_seen))
        messages_of = {}
        for index in every_cell:
            values[index], messages = verdicts[index](texts[index])
            if messages:
                messages_of[index] = messages
        if NOT_SEEN in values:
            for index, value in enumerate(values):
                if value is NOT_SEEN:
                    value, messages = verdicts[index](texts[index])
                    values[index] = typed[index][texts[index]] = value
                    if messages:
                        refused[index][texts[index]] = messages
        if messages_of or any(refused):
            for index, (name, text) in enumerate(zip(names, texts)):
                for message in messages_of.get(index) or refused[index].get(text, ()):
                    problems.append(Problem(path, line, name, message))
        rows.append(values)
    return rows


# The checks below first look at whole columns at C speed (sets, map) for the usual answer, nothing
# wrong; only a table with a problem is walked row by row to name the lines.


def column_values(table, name):
    return map(itemgetter(name), map(itemgetter(1), table.rows))


def filled_values(table, name):
    """The distinct values of a column, empty cells left out."""
    values = set(column_values(table, name))
    values.discard(None)
    return values


def validate_unique(table):
    unique = [name for name, f in table.fields.items() if f.get("constraints", {}).get("unique")]
    if table.primary_key not in unique:
        unique.append(table.primary_key)
    for column in unique:
        values = list(column_values(table, column))
        empty = values.count(None)
        if len(set(values)) - bool(empty) == len(values) - empty:
            continue
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
        known = filled_values(tables[target], target_column)
        if filled_values(table, column) <= known:
            continue
        for line, row in table.rows:
            if row[column] is not None and row[column] not in known:
                yield Problem(table.path, line, column, f"{row[column]!r} is not an {target_column} in {target}.csv")


def validate_exactly_one_of(table):
    columns = table.schema.get("exactlyOneOf")
    if not columns:
        return
    if set(map(methodcaller("count", None), map(tuple_getter(columns), map(itemgetter(1), table.rows)))) <= {len(columns) - 1}:
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
    cited = filled_values(tables[citing_table], citing_column)
    if filled_values(table, table.primary_key) <= cited:
        return
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


def read_values(data_dir, resource, problems):
    """A table's line numbers and its rows' values (typed_values)."""
    path = data_dir / resource["path"]
    header, lines, cells = read_csv(path, resource["schema"], problems)
    return lines, typed_values(path, resource["schema"], header, lines, cells, problems)


def as_table(data_dir, resource, lines, values):
    """The Table, each row a (line, {column: value}) in the order of the fields."""
    names = [field["name"] for field in resource["schema"]["fields"]]
    rows = list(zip(lines, map(dict, map(zip, repeat(names), values))))
    return Table(resource["name"], data_dir / resource["path"], resource["schema"], rows)


OWN_CHECKS = (validate_unique, validate_exactly_one_of, validate_distinct_fields, validate_spans, validate_hierarchies)


def own_problems(table):
    """The problems of the checks that need no other table, by check."""
    return {check: list(check(table)) for check in OWN_CHECKS}


# A CSV at least this big is read and checked in a second process while this one reads the others
# (the citations at 1000x the data: more than half of the reading); a smaller one costs more to
# send back than it saves.
READ_APART_BYTES = 32 << 20


def read_apart(data_dir, resource, read_end, write_end):
    """Run in a forked process: read_values, its (problems, line numbers, values) or its error pickled
    into the pipe. The process keeps only the pipe's writing end: if the parent is killed, the write
    fails and the process ends (letting go of the parent's build lock it inherited)."""
    os.close(read_end)
    try:
        problems = []
        outcome = (problems, *read_values(data_dir, resource, problems))
    except BaseException as error:  # sent back whole, raised in the parent
        outcome = error
    with contextlib.suppress(BrokenPipeError), open(write_end, "wb") as pipe:  # broken: the parent is gone
        pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)


@contextlib.contextmanager
def reading_apart(data_dir, resource):
    """While the block runs, read_values for `resource` in a forked process (forked before the
    build starts a thread, while the heap is small); yields a function waiting for and returning
    its (problems, line numbers, values). The process is stopped if the block ends first."""
    read_end, write_end = os.pipe()
    process = multiprocessing.get_context("fork").Process(target=read_apart, args=(data_dir, resource, read_end, write_end),
                                                          daemon=True)
    process.start()
    os.close(write_end)
    with open(read_end, "rb") as pipe:

        def outcome():
            try:
                outcome = pickle.load(pipe)
            except EOFError:
                process.join()
                raise RuntimeError(f"reading {data_dir / resource['path']} in a second process: it ended with "
                                   f"exit code {process.exitcode}") from None
            process.join()
            if isinstance(outcome, BaseException):
                raise outcome
            return outcome

        try:
            yield outcome
        finally:
            if process.is_alive():
                process.kill()
                process.join()


def file_size(path):
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read_csv says why


def validate(data_dir, package, each_table=None):
    """Read and check every table; raise InvalidData listing every problem.

    `each_table(table)`, if given, gets each table as soon as it is read and has passed the checks
    that need no other table, while no table so far has a problem: the build writes it while the
    next one is read. The largest CSV, if big (READ_APART_BYTES), is read meanwhile by a second
    process. The checks across tables come after the last; the problems are listed as if every
    table were read first and then checked in turn."""
    resources = package["resources"]
    largest = max(resources, key=lambda r: file_size(data_dir / r["path"]), default=None)
    apart = largest if largest and file_size(data_dir / largest["path"]) >= READ_APART_BYTES else None
    read_problems, own, tables = [], {}, {}
    with reading_apart(data_dir, apart) if apart else contextlib.nullcontext() as apart_outcome:
        for resource in resources:
            if resource is apart:
                problems, lines, values = apart_outcome()
                read_problems += problems
            else:
                lines, values = read_values(data_dir, resource, read_problems)
            table = tables[resource["name"]] = as_table(data_dir, resource, lines, values)
            own[table.name] = own_problems(table)
            if each_table and not read_problems and not any(any(checks.values()) for checks in own.values()):
                each_table(table)
    problems = read_problems
    for table in tables.values():
        checks = own[table.name]
        problems += checks[validate_unique]
        problems += validate_foreign_keys(table, tables)
        problems += checks[validate_exactly_one_of] + checks[validate_distinct_fields] + checks[validate_spans]
        problems += validate_cited(table, tables)
        problems += checks[validate_hierarchies]
    if problems:
        raise InvalidData(problems)
    return tables
