"""data/datapackage.json: loading it, refusing what the build does not implement, and the derived columns.

The build implements a subset of Frictionless Table Schema plus a few properties of our own
(below). Anything else in the package is refused by name rather than silently ignored, so a
rule someone writes is never switched off without a word.
"""
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .problems import InvalidData, Problem

TYPES = {"string", "integer", "number", "boolean"}
CONSTRAINTS = {"required", "unique", "pattern", "enum", "minimum", "maximum", "minLength", "maxLength"}
# Descriptive properties are accepted as they are; the others are what the build enforces.
PACKAGE_PROPERTIES = {"profile", "name", "id", "title", "description", "version", "homepage", "keywords", "created",
                      "licenses", "sources", "contributors", "resources", "derivedFields",
                      "spatialCoverage",  # the id of the place (in places) the dataset is about, for schema.org
                      "reconciliation"}  # the tables OpenRefine can match names to (pipeline/reconcile.py)
RESOURCE_PROPERTIES = {"name", "path", "title", "description", "profile", "format", "mediatype", "encoding", "schema",
                       "schemaOrgType"}  # each row's page is a schema.org thing of this type (JSON-LD, sitemap)
# The schema.org types site/plugins/json_ld.py knows how to describe.
SCHEMA_ORG_TYPES = {"Person", "Organization", "Event", "Place", "CreativeWork"}
VERSION = re.compile(r"^\d+\.\d+\.\d+$")  # a release's version (semantic versioning)
SCHEMA_PROPERTIES = {
    "fields", "primaryKey", "foreignKeys", "missingValues",
    "fullTextSearch",  # columns indexed for full-text search
    "nameFields",      # the fullTextSearch columns that name the row: a typed name finds its id (site/plugins/search_terms.py)
    "exactlyOneOf",    # columns of which each row fills exactly one (the build derives which, see derivedFields)
    "citedBy",         # "table.column" that must reference every row of this table
    "distinctFields",  # columns that must not hold the same value in one row
    "spans",           # [start, end] date columns where end may not precede start
    "indexes",         # column lists indexed together, for queries that filter on the first and sort by the next
}
FIELD_PROPERTIES = {"name", "type", "title", "description", "example", "constraints",
                    "edtf",  # an EDTF date: validated, and the build derives derivedFields.edtf from it
                    "separator"}  # the cell is a list of values joined by this string (other names)
DERIVATIONS = {"edtf": ["earliest", "latest", "year", "decade", "order"], "exactlyOneOf": ["table", "id"]}


def load_package(path):
    """The parsed package, or InvalidData naming the file and what is wrong with it."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InvalidData([Problem(path, 0, "", f"cannot read the data package: {error.strerror}")]) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise InvalidData([Problem(path, 1, "", "file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM")])
    try:
        package = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise InvalidData([Problem(path, raw[: error.start].count(b"\n") + 1, "", "is not UTF-8")]) from None
    except json.JSONDecodeError as error:
        raise InvalidData([Problem(path, error.lineno, "", f"is not valid JSON: {error.msg} (column {error.colno})")]) from None
    problems = list(package_problems(path, package))
    if problems:
        raise InvalidData(problems)
    return package


class Required:
    """A key the build cannot do without, holding `shape`."""

    def __init__(self, shape):
        self.shape = shape


NUMBER = (int, float)
FIELD_SHAPE = {"name": Required(str), "type": str, "edtf": bool, "separator": str,
               "constraints": {"required": bool, "unique": bool, "pattern": str, "enum": list, "minimum": NUMBER,
                               "maximum": NUMBER, "minLength": int, "maxLength": int}}
SCHEMA_SHAPE = {"fields": Required([FIELD_SHAPE]), "primaryKey": Required(str), "missingValues": [str],
                "foreignKeys": [{"fields": Required(str), "reference": Required({"resource": Required(str), "fields": Required(str)})}],
                "fullTextSearch": [str], "nameFields": [str], "exactlyOneOf": [str], "citedBy": str,
                "distinctFields": [str], "spans": [[str]], "indexes": [[str]]}
DERIVED_SHAPE = [{"name": Required(str), "type": Required(str), "description": Required(str)}]
PACKAGE_SHAPE = {"name": Required(str), "contributors": [dict], "derivedFields": Required({kind: Required(DERIVED_SHAPE) for kind in DERIVATIONS}),
                 "resources": Required([{"name": Required(str), "path": Required(str), "schemaOrgType": str,
                                         "schema": Required(SCHEMA_SHAPE)}])}
# Names become SQL identifiers and file names: letters, digits and underscores.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SHAPE_NAMES = {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "a whole number", NUMBER: "a number"}


def shape_problems(path, value, shape, where):
    """Problems where the package's JSON has another shape than the build reads (a string where a list
    belongs, a foreign key without its reference…), each naming the key; checked before anything else
    reads the package, so a malformed package is refused by key instead of failing with a traceback."""
    if isinstance(shape, list):
        if not isinstance(value, list):
            yield Problem(path, 0, "", f"{where}: expected a list")
            return
        for index, item in enumerate(value):
            name = item.get("name") if isinstance(item, dict) and isinstance(item.get("name"), str) else index
            yield from shape_problems(path, item, shape[0], f"{where}[{name}]")
    elif isinstance(shape, dict):
        if not isinstance(value, dict):
            yield Problem(path, 0, "", f"{where}: expected an object")
            return
        for key, inner in shape.items():
            if isinstance(inner, Required):
                if key not in value:
                    yield Problem(path, 0, "", f"{where}: {key!r} is missing")
                    continue
                inner = inner.shape
            if key in value:
                yield from shape_problems(path, value[key], inner, f"{where}.{key}")
    elif not isinstance(value, shape) or (isinstance(value, bool) and shape is not bool):
        yield Problem(path, 0, "", f"{where}: expected {SHAPE_NAMES[shape]}, found {json.dumps(value)[:60]}")


def _unknown(path, where, found, known, what):
    for key in sorted(set(found) - known):
        yield Problem(path, 0, "", f"{where}: {what} {key!r} is not implemented by the build; expected one of {', '.join(sorted(known))}")


def package_problems(path, package):
    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        yield Problem(path, 0, "", "expected an object with a list of resources")
        return
    malformed = list(shape_problems(path, package, PACKAGE_SHAPE, "package"))
    if malformed:
        yield from malformed
        return
    yield from _unknown(path, "package", package, PACKAGE_PROPERTIES, "property")
    if not VERSION.match(str(package.get("version", ""))):
        yield Problem(path, 0, "", f"version: {package.get('version')!r} is not a release version such as 1.2.0")
    contributors = package.get("contributors")
    if not contributors or not all(isinstance(c, dict) and c.get("title") for c in contributors):
        yield Problem(path, 0, "", "contributors: expected a list of objects, each with a title")
    derived = package.get("derivedFields", {})
    for kind, positions in DERIVATIONS.items():
        if len(derived.get(kind, [])) != len(positions):
            yield Problem(path, 0, "", f"derivedFields.{kind}: expected {len(positions)} fields ({', '.join(positions)})")
    names = {r.get("name") for r in package["resources"] if isinstance(r, dict)}
    for index, resource in enumerate(package["resources"]):
        where = f"resources[{resource.get('name', index)}]"
        yield from _unknown(path, where, resource, RESOURCE_PROPERTIES, "property")
        if not NAME.fullmatch(resource["name"]):
            yield Problem(path, 0, "", f"{where}.name: expected letters, digits and underscores")
        if Path(resource["path"]).is_absolute() or ".." in Path(resource["path"]).parts:
            yield Problem(path, 0, "", f"{where}.path: {resource['path']!r} is not a file inside the data folder")
        if "schemaOrgType" in resource and resource["schemaOrgType"] not in SCHEMA_ORG_TYPES:
            yield Problem(path, 0, "", f"{where}.schemaOrgType: {resource['schemaOrgType']!r} is not described by the site; "
                                       f"expected one of {', '.join(sorted(SCHEMA_ORG_TYPES))}")
        schema = resource.get("schema", {})
        yield from _unknown(path, f"{where}.schema", schema, SCHEMA_PROPERTIES, "property")
        columns = [f.get("name") for f in schema.get("fields", [])]
        for field in schema.get("fields", []):
            at = f"{where}.schema.fields[{field.get('name')}]"
            yield from _unknown(path, at, field, FIELD_PROPERTIES, "property")
            if not NAME.fullmatch(field["name"]):
                yield Problem(path, 0, "", f"{at}.name: expected letters, digits and underscores")
            if field.get("type", "string") not in TYPES:
                yield Problem(path, 0, "", f"{at}: type {field['type']!r} is not implemented by the build; expected one of {', '.join(sorted(TYPES))}")
            constraints = field.get("constraints", {})
            yield from _unknown(path, f"{at}.constraints", constraints, CONSTRAINTS, "constraint")
            if "pattern" in constraints:
                try:
                    re.compile(constraints["pattern"])
                except re.error as error:
                    yield Problem(path, 0, "", f"{at}.constraints.pattern: not a regular expression: {error}")
            if not field.get("description"):
                yield Problem(path, 0, "", f"{at}: no description")
        if schema.get("missingValues", [""]) != [""]:
            yield Problem(path, 0, "", f"{where}.schema.missingValues: only [\"\"] is implemented")
        named = [schema.get("primaryKey")] + [c for pair in schema.get("spans", []) for c in pair]
        named += schema.get("fullTextSearch", []) + schema.get("exactlyOneOf", []) + schema.get("distinctFields", [])
        if [] in schema.get("indexes", []):
            yield Problem(path, 0, "", f"{where}.schema.indexes: an index needs at least one column")
        starts = [tuple(index[:2]) for index in schema.get("indexes", [])]  # the build names an index by them
        if len(set(starts)) < len(starts):
            yield Problem(path, 0, "", f"{where}.schema.indexes: two indexes begin with the same columns; one would do")
        for column in schema.get("nameFields", []):
            if column not in schema.get("fullTextSearch", []):
                yield Problem(path, 0, "", f"{where}.schema.nameFields: {column!r} is not one of its fullTextSearch columns")
        for fk in schema.get("foreignKeys", []):
            named.append(fk["fields"])
            target = fk["reference"]["resource"] or resource.get("name")
            if target not in names:
                yield Problem(path, 0, "", f"{where}.schema.foreignKeys: {fk['fields']} references {target!r}, which is not a resource")
            elif fk["reference"]["fields"] not in [f["name"] for r in package["resources"] if r["name"] == target
                                                   for f in r["schema"]["fields"]]:
                yield Problem(path, 0, "", f"{where}.schema.foreignKeys: {fk['fields']} references "
                                           f"{target}.{fk['reference']['fields']}, which is not a field")
        for column in named:
            if column not in columns:
                yield Problem(path, 0, "", f"{where}.schema: {column!r} is not a field of this resource")
        built = [f["name"] for f in all_fields(package, resource)]  # an index may take the columns the build derives
        for column in [c for index in schema.get("indexes", []) for c in index if c not in built]:
            yield Problem(path, 0, "", f"{where}.schema: {column!r} is not a field of this resource")
        if "citedBy" in schema:
            table, _, column = schema["citedBy"].partition(".")
            citing = next((r for r in package["resources"] if r.get("name") == table), None)
            if citing is None or column not in [f["name"] for f in citing["schema"]["fields"]]:
                yield Problem(path, 0, "", f"{where}.schema.citedBy: {schema['citedBy']!r} is not a table.column of the package")


@dataclass
class Table:
    """One resource of the package: its schema and the rows read from its CSV."""

    name: str
    path: object
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
        return [(fk["fields"], fk["reference"]["resource"] or self.name, fk["reference"]["fields"])
                for fk in self.schema.get("foreignKeys", [])]

    def date_fields(self):
        return [f["name"] for f in self.schema["fields"] if f.get("edtf")]


def derived_date_fields(package, field_name):
    """The fields the build derives from one EDTF field, in DERIVATIONS["edtf"] order, named from the package."""
    prefix = field_name[: -len("_date")] if field_name.endswith("_date") else field_name
    return [{**spec, "name": spec["name"].format(field=field_name, prefix=prefix),
             "description": spec["description"].format(field=field_name)} for spec in package["derivedFields"]["edtf"]]


def derived_target_fields(package, schema):
    """(table field, id field) the build derives from a schema's exactlyOneOf: which column is filled."""
    if not schema.get("exactlyOneOf"):
        return []
    return package["derivedFields"]["exactlyOneOf"]


def exactly_one_of_targets(schema):
    """{column: the table it references} for the columns of exactlyOneOf, from the foreign keys."""
    references = {fk["fields"]: fk["reference"]["resource"] for fk in schema.get("foreignKeys", [])}
    return {column: references[column] for column in schema.get("exactlyOneOf", [])}


def all_fields(package, resource):
    """Every column of the built table: the declared fields, then those the build derives."""
    fields = list(resource["schema"]["fields"])
    for field in resource["schema"]["fields"]:
        if field.get("edtf"):
            fields += derived_date_fields(package, field["name"])
    return fields + derived_target_fields(package, resource["schema"])
