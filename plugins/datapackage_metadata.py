"""Serve the table and column descriptions of data/datapackage.json as Datasette metadata.

datapackage.json is the one place the schema is described; metadata.yml adds only what
is specific to the site (facets, sort orders, label columns, queries, views and the
columns the build derives). Local metadata.yml values take precedence over these.
"""
import json
import sys
from functools import lru_cache
from pathlib import Path

from datasette import hookimpl

# build_db.py sits one level above plugins/, in the checkout and in the deployment bundle.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from build_db import derived_date_columns

PACKAGE = Path(__file__).resolve().parent.parent / "data" / "datapackage.json"
DATABASE = "bolivian_trotskyism"


def column_descriptions(fields):
    columns = {field["name"]: field["description"] for field in fields}
    for field in fields:
        if not field.get("edtf"):
            continue
        earliest, latest, year, decade = derived_date_columns(field["name"])
        name = field["name"]
        columns[earliest] = f"Derived by the build: the earliest ISO day {name} can mean (1952-04 gives 1952-04-01), for sorting and ranges."
        columns[latest] = f"Derived by the build: the latest ISO day {name} can mean (1952-04 gives 1952-04-30)."
        columns[year] = f"Derived by the build: the year of {name}, where it names a single year; for facets."
        columns[decade] = f"Derived by the build: the decade of {name} (1950 for the 1950s); for facets."
    return columns


@lru_cache(maxsize=1)
def table_metadata():
    package = json.loads(PACKAGE.read_text(encoding="utf-8"))
    return {
        resource["name"]: {
            "title": resource["title"],
            "description": resource["description"],
            "columns": column_descriptions(resource["schema"]["fields"]),
        }
        for resource in package["resources"]
    }


@hookimpl
def get_metadata(datasette, key, database, table):
    return {"databases": {DATABASE: {"tables": table_metadata()}}}
