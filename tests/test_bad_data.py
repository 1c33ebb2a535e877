"""Bad data is refused with file, line and column named, and the previous database survives."""
import csv
import json
import shutil

import pytest
import sqlite_utils

from pipeline.build import main as build_main
from conftest import read_rows, write_rows
from pipeline import layout

OUTPUT = "out.db"


@pytest.fixture(scope="module")
def first_build(tmp_path_factory):
    """A successful build of the checkout (its served folder, a symlink, and the folder it names),
    built once: each test starts from a copy of it and checks a refused build leaves it as it was."""
    parent = tmp_path_factory.mktemp("first-build")
    assert build_main(["--output", str(parent / "build" / OUTPUT)]) == 0
    return parent


def previous_build(first_build, tmp_path):
    """A copy of the first build in `tmp_path`; the database path to build into again."""
    shutil.copytree(first_build, tmp_path / "site", symlinks=True)
    return tmp_path / "site" / "build" / OUTPUT


def set_cells(data_dir, table, index, **values):
    """Change cells of the index-th data row; return that row's line number in the file."""
    rows = read_rows(table, data_dir)
    rows[index].update(values)
    write_rows(data_dir, table, rows)
    return index + 2


def duplicate_id(d):
    rows = read_rows("people", d)
    return "people.csv", set_cells(d, "people", 1, id=rows[0]["id"]), "id", "repeats the value on line 2"


def one_cell(name, table, index, values, column, message):
    """A breaker that changes cells of one row and expects one message on that row."""
    def breaker(d):
        return f"{table}.csv", set_cells(d, table, index, **values), column, message
    breaker.__name__ = name
    return breaker


ONE_CELL = [
    one_cell('empty_id', 'events', 0, {'id': ''}, 'id', 'is empty but required'),
    one_cell('id_not_a_slug', 'places', 0, {'id': 'La Paz'}, 'id', 'does not match the pattern'),
    one_cell('dangling_foreign_key', 'memberships', 0, {'person_id': 'nobody-at-all'}, 'person_id', "'nobody-at-all' is not an id in people.csv"),
    one_cell('dangling_parent', 'organizations', 0, {'parent_id': 'no-such-party'}, 'parent_id', 'is not an id in organizations.csv'),
    one_cell('impossible_date', 'events', 0, {'start_date': '1952-02-30'}, 'start_date', 'is not a valid EDTF date'),
    one_cell('non_edtf_date', 'events', 0, {'start_date': 'April 1952'}, 'start_date', 'does not match the pattern'),
    one_cell('end_before_start', 'memberships', 0, {'start_date': '1960', 'end_date': '1950-05'}, 'end_date', 'is before start_date'),
    one_cell('outside_vocabulary', 'events', 0, {'classification': 'picnic'}, 'classification', "'picnic' is not one of the allowed values"),
    one_cell('coordinates_out_of_range', 'places', 0, {'latitude': '95.5'}, 'latitude', 'above the maximum 90'),
    # Values that used to be stored changed instead of refused (issue 13, item 8).
    one_cell('latitude_not_a_number', 'places', 0, {'latitude': 'NaN'}, 'latitude', "'NaN' is not a finite number"),
    one_cell('infinite_longitude', 'places', 1, {'longitude': '-inf'}, 'longitude', "'-inf' is not a finite number"),
    one_cell('leap_day_of_a_common_year', 'events', 0, {'start_date': '1953-02-29'}, 'start_date', 'is not a valid EDTF date'),
    one_cell('leap_day_of_1900', 'events', 0, {'start_date': '1900-02-29'}, 'start_date', 'is not a valid EDTF date'),
    one_cell('impossible_day_of_a_decade', 'events', 0, {'start_date': '195X-02-30'}, 'start_date', 'is not a valid EDTF date'),
    one_cell('leap_day_of_a_decade', 'events', 0, {'start_date': '195X-02-29'}, 'start_date', 'is not a valid EDTF date'),
    # A traceback before (item 9): SQLite's integers stop at 2**63 - 1.
    one_cell('integer_over_64_bits', 'footnotes', 0, {'number': str(2**63)}, 'number', 'too large for a 64-bit integer'),
    # Spreadsheet formulas (item 16): a CSV export opened in a spreadsheet would run them.
    one_cell('hyperlink_formula', 'people', 0, {'name': '=HYPERLINK("https://example.org/x","click")'}, 'name', 'would run as a formula'),
    one_cell('at_formula', 'events', 0, {'summary': '@SUM(1+1)*cmd|" /C calc"!A0'}, 'summary', 'would run as a formula'),
    one_cell('plus_formula', 'organizations', 0, {'name': '+1+1'}, 'name', 'would run as a formula'),
]


def ragged_row(d):
    path = d / "people.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].rstrip("\n") + ",surplus\n"
    path.write_text("".join(lines), encoding="utf-8")
    columns = len(lines[0].split(","))
    return "people.csv", 4, "", f"row has {columns + 1} cells, expected {columns}"


def missing_column(d):
    rows = read_rows("places", d)
    fields = [f for f in rows[0] if f != "longitude"]
    write_rows(d, "places", [{k: r[k] for k in fields} for r in rows], fields)
    return "places.csv", 1, "longitude", "missing column declared in datapackage.json"


def unknown_column(d):
    rows = read_rows("places", d)
    for r in rows:
        r["altitude"] = ""
    write_rows(d, "places", rows)
    return "places.csv", 1, "altitude", "unknown column"


def byte_order_mark(d):
    path = d / "sources.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    return "sources.csv", 1, "", "byte order mark"


def not_utf8(d):
    path = d / "places.csv"
    lines = path.read_bytes().split(b"\n")
    lines[2] = lines[2] + b"\xe9"
    path.write_bytes(b"\n".join(lines))
    return "places.csv", 3, "", "is not UTF-8"


def relation_to_itself(d):
    rows = read_rows("organization_relations", d)
    return "organization_relations.csv", set_cells(d, "organization_relations", 0, other_organization_id=rows[0]["organization_id"]), "other_organization_id", "may not be related to itself"


def parent_cycle(d):
    rows = read_rows("organizations", d)
    first, second = rows[0]["id"], rows[1]["id"]
    set_cells(d, "organizations", 0, parent_id=second)
    set_cells(d, "organizations", 1, parent_id=first)
    return "organizations.csv", None, "parent_id", "is a cycle"


def citation_with_two_targets(d):
    rows = read_rows("citations", d)
    place = read_rows("places", d)[0]["id"]
    index = next(i for i, r in enumerate(rows) if not r["place_id"])
    return "citations.csv", set_cells(d, "citations", index, place_id=place), "", "must fill exactly one of"


def citation_without_target(d):
    targets = ["event_id", "membership_id", "person_id", "organization_id", "relation_id", "participant_id", "place_id"]
    line = set_cells(d, "citations", 0, **{t: "" for t in targets})
    return "citations.csv", line, "", "found none"


def uncited_event(d):
    rows = read_rows("events", d)
    rows.append({**rows[0], "id": "an-uncited-event-1999", "start_date": "1999"})
    write_rows(d, "events", rows)
    return "events.csv", len(rows) + 1, "id", "has no citation"


def trailing_space_in_id(d):
    rows = read_rows("people", d)
    return "people.csv", set_cells(d, "people", 0, id=rows[0]["id"] + " "), "id", "has leading or trailing whitespace"


BREAKERS = ONE_CELL + [
    duplicate_id, ragged_row, missing_column, unknown_column, byte_order_mark, not_utf8, relation_to_itself,
    parent_cycle, citation_with_two_targets, citation_without_target, uncited_event, trailing_space_in_id,
]


@pytest.mark.parametrize("breaker", BREAKERS, ids=[b.__name__ for b in BREAKERS])
def test_bad_data_is_refused_and_the_previous_database_kept(breaker, data_copy, tmp_path, capsys, first_build):
    output = previous_build(first_build, tmp_path)
    before = output.read_bytes()
    capsys.readouterr()

    filename, line, column, message = breaker(data_copy)

    assert build_main(["--data", str(data_copy), "--output", str(output)]) == 1
    errors = capsys.readouterr().err.splitlines()
    where = f"{data_copy / filename}:{line if line is not None else ''}"
    matching = [e for e in errors if e.startswith(where) and message in e and (not column or f"column {column}:" in e)]
    assert matching, f"no error at {where} column {column!r} saying {message!r} in:\n" + "\n".join(errors[:20])
    assert errors[-1].startswith("refused:")
    assert output.read_bytes() == before
    assert not [p for p in output.parent.parent.iterdir() if p.name.endswith(".partial")]


def test_windows_line_endings_are_accepted_without_changing_ids(data_copy, tmp_path):
    path = data_copy / "people.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    output = tmp_path / "build" / "crlf.db"
    assert build_main(["--data", str(data_copy), "--output", str(output)]) == 0
    ids = {r["id"] for r in sqlite_utils.Database(output)["people"].rows}
    assert ids == {r["id"] for r in read_rows("people")}


def edit_package(change):
    def breaker(inputs):
        path = inputs["data"] / "datapackage.json"
        package = json.loads(path.read_text())
        expected = change(package)
        path.write_text(json.dumps(package))
        return path, expected
    breaker.__name__ = change.__name__
    return breaker


@edit_package
def unimplemented_type(package):
    people = next(r for r in package["resources"] if r["name"] == "people")
    next(f for f in people["schema"]["fields"] if f["name"] == "birth_date")["type"] = "date"
    return "fields[birth_date]: type 'date' is not implemented by the build"


@edit_package
def unimplemented_constraint(package):
    events = next(r for r in package["resources"] if r["name"] == "events")
    next(f for f in events["schema"]["fields"] if f["name"] == "name")["constraints"]["minLenght"] = 3
    return "constraint 'minLenght' is not implemented by the build"


@edit_package
def misspelt_schema_property(package):
    events = next(r for r in package["resources"] if r["name"] == "events")
    events["schema"]["citeBy"] = events["schema"].pop("citedBy")
    return "resources[events].schema: property 'citeBy' is not implemented by the build"


@edit_package
def foreign_key_to_no_table(package):
    events = next(r for r in package["resources"] if r["name"] == "events")
    events["schema"]["foreignKeys"][0]["reference"]["resource"] = "locations"
    return "references 'locations', which is not a resource"


def query_named_like_a_view(inputs):
    source = inputs["queries"] / "splits_and_mergers.sql"
    target = inputs["queries"] / "timeline.sql"
    source.rename(target)
    return target, "query 'timeline' has the name of a view, which it would hide"


def query_without_description(inputs):
    path = inputs["queries"] / "events_per_year.sql"
    path.write_text("".join(line for line in path.read_text().splitlines(keepends=True) if not line.startswith("-- description")))
    return path, "header has no 'description'"


def parameter_without_example(inputs):
    path = inputs["queries"] / "person_profile.sql"
    path.write_text(path.read_text().replace("--   person: guillermo-lora\n", ""))
    return path, "the SQL uses :person but the header's parameters do not give it an example"


def facet_on_a_missing_column(inputs):
    path = inputs["site"]
    path.write_text(path.read_text().replace("facets: [classification, start_decade, place_id]",
                                             "facets: [classification, start_century]"))
    return path, "'start_century' is not a column of events"


def undescribed_view_column(inputs):
    path = inputs["views"] / "timeline.sql"
    path.write_text(path.read_text().replace("--   place: Name of the place.\n", ""))
    return path, "column 'place' of the view is not described"


def malformed_package(inputs):
    path = inputs["data"] / "datapackage.json"
    path.write_text(path.read_text()[:-40])
    return path, "is not valid JSON"


CONFIGURATION_BREAKERS = [unimplemented_type, unimplemented_constraint, misspelt_schema_property, foreign_key_to_no_table,
                          query_named_like_a_view, query_without_description, parameter_without_example,
                          facet_on_a_missing_column, undescribed_view_column, malformed_package]


@pytest.mark.parametrize("breaker", CONFIGURATION_BREAKERS, ids=[b.__name__ for b in CONFIGURATION_BREAKERS])
def test_broken_configuration_is_refused_by_name_and_the_previous_build_kept(breaker, data_copy, tmp_path, capsys, first_build):
    inputs = {"data": data_copy, "queries": tmp_path / "queries", "views": tmp_path / "views", "site": tmp_path / "metadata.yml"}
    shutil.copytree(layout.QUERIES, inputs["queries"])
    shutil.copytree(layout.VIEWS, inputs["views"])
    shutil.copy2(layout.SITE_METADATA, inputs["site"])
    output = previous_build(first_build, tmp_path)
    arguments = ["--data", str(data_copy), "--queries", str(inputs["queries"]), "--views", str(inputs["views"]),
                 "--site-metadata", str(inputs["site"]), "--output", str(output)]
    before = {p.name: p.read_bytes() for p in output.parent.iterdir()}
    capsys.readouterr()

    path, message = breaker(inputs)

    assert build_main(arguments) == 1
    errors = capsys.readouterr().err.splitlines()
    assert [e for e in errors if e.startswith(str(path)) and message in e], "\n".join(errors[:10])
    assert "Traceback" not in "\n".join(errors)
    assert {p.name: p.read_bytes() for p in output.parent.iterdir()} == before


LINE_BREAKS_OF_STR_SPLITLINES = ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e"]


@pytest.mark.parametrize("separator", LINE_BREAKS_OF_STR_SPLITLINES, ids=lambda c: f"U+{ord(c):04X}")
def test_line_separators_inside_cells_keep_every_later_line_number(separator, data_copy, tmp_path, capsys, first_build):
    """Only \\n, \\r\\n and \\r end a CSV line: a cell holding U+2028, NEL, VT, FF, FS, GS or RS, quoted
    or not, neither shifts the line of a later error nor is refused as a multi-line cell (item 10)."""
    rows = read_rows("people", data_copy)
    rows[0]["summary"] = f"first part{separator}second part"
    rows[1]["note"] = f"unquoted{separator}note"
    rows[3]["id"] = ""
    path = data_copy / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        quoted = csv.DictWriter(f, list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_ALL)
        unquoted = csv.DictWriter(f, list(rows[0]), lineterminator="\n")  # leaves the separator bare
        unquoted.writeheader()
        quoted.writerow(rows[0])
        unquoted.writerows(rows[1:])
    output = previous_build(first_build, tmp_path)
    capsys.readouterr()
    assert build_main(["--data", str(data_copy), "--output", str(output)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert [e for e in errors if e.startswith(f"{path}:")] == [f"{path}:5: column id: is empty but required"], errors


def test_a_quoted_line_separator_is_built_as_it_is(data_copy, tmp_path, first_build):
    rows = read_rows("people", data_copy)
    rows[0]["summary"] = "before\u2028after"
    path = data_copy / "people.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]), lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    output = previous_build(first_build, tmp_path)
    assert build_main(["--data", str(data_copy), "--output", str(output)]) == 0
    assert sqlite_utils.Database(output)["people"].get(rows[0]["id"])["summary"] == "before\u2028after"


def malformed_package_cases():
    """(name, change to the package, message): JSON of another shape than the build reads, refused by key (item 9)."""
    def resource(package, name):
        return next(r for r in package["resources"] if r["name"] == name)

    def fields_not_a_list(p):
        resource(p, "people")["schema"]["fields"] = "id, name"

    def foreign_key_without_reference(p):
        del resource(p, "memberships")["schema"]["foreignKeys"][0]["reference"]

    def pattern_not_a_string(p):
        next(f for f in resource(p, "people")["schema"]["fields"] if "pattern" in f.get("constraints", {}))["constraints"]["pattern"] = 5

    def bad_regular_expression(p):
        next(f for f in resource(p, "people")["schema"]["fields"] if "pattern" in f.get("constraints", {}))["constraints"]["pattern"] = "^([a-z]$"

    def path_outside_the_data_folder(p):
        resource(p, "places")["path"] = "../../etc/passwd"

    def resource_not_an_object(p):
        p["resources"][0] = "people.csv"

    def foreign_key_to_a_missing_field(p):
        resource(p, "memberships")["schema"]["foreignKeys"][0]["reference"]["fields"] = "uuid"

    def enum_not_a_list(p):
        next(f for f in resource(p, "events")["schema"]["fields"] if "enum" in f.get("constraints", {}))["constraints"]["enum"] = "war"

    return [
        (fields_not_a_list, "resources[people].schema.fields: expected a list"),
        (foreign_key_without_reference, "resources[memberships].schema.foreignKeys[0]: 'reference' is missing"),
        (pattern_not_a_string, ".constraints.pattern: expected a string, found 5"),
        (bad_regular_expression, ".constraints.pattern: not a regular expression"),
        (path_outside_the_data_folder, "resources[places].path: '../../etc/passwd' is not a file inside the data folder"),
        (resource_not_an_object, "package.resources[0]: expected an object"),
        (foreign_key_to_a_missing_field, "references people.uuid, which is not a field"),
        (enum_not_a_list, ".constraints.enum: expected a list"),
    ]


@pytest.mark.parametrize("change, message", malformed_package_cases(), ids=lambda c: getattr(c, "__name__", ""))
def test_malformed_package_is_refused_by_key_without_a_traceback(change, message, data_copy, tmp_path, capsys, first_build):
    path = data_copy / "datapackage.json"
    package = json.loads(path.read_text())
    change(package)
    path.write_text(json.dumps(package))
    output = previous_build(first_build, tmp_path)
    before = output.read_bytes()
    capsys.readouterr()
    assert build_main(["--data", str(data_copy), "--output", str(output)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert [e for e in errors if e.startswith(f"{path}: ") and message in e], "\n".join(errors[:10])
    assert output.read_bytes() == before


def test_a_folder_where_a_csv_belongs_is_refused_by_name(data_copy, tmp_path, capsys, first_build):
    (data_copy / "places.csv").unlink()
    (data_copy / "places.csv").mkdir()
    output = previous_build(first_build, tmp_path)
    capsys.readouterr()
    assert build_main(["--data", str(data_copy), "--output", str(output)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert f"{data_copy / 'places.csv'}: cannot be read as a file: Is a directory" in errors
