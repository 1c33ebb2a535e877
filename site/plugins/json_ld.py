"""schema.org JSON-LD: a `Dataset` on the home page and a Person, Organization, Event, Place or
CreativeWork on each reading page, for search engines and linked-data tools.

The type of each table's rows is declared once, as `schemaOrgType` of its resource in
data/datapackage.json; the build writes it, with what the Dataset says, into the `schema-org`
plugin configuration. Columns become properties by their name (COLUMN_PROPERTIES), the same
name meaning the same thing in every table. The templates print `json_ld` (site/templates/_json_ld.html).

The release archive of this version, once `make release` has written it into the checkout's dist/release/
(or the folder the plugin configuration names as `release_folder`), is served at /-/release/<name>.zip and
listed by the Dataset; a copy deployed without it lists none.
"""
import json
import re
from pathlib import Path

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import AsgiFileDownload, Response
from markupsafe import Markup

PLUGIN = "schema-org"
CONTEXT = "https://schema.org"
# column -> schema.org property, for every table that has the column
COLUMN_PROPERTIES = {
    "summary": "description",
    "birth_date": "birthDate", "death_date": "deathDate",
    "founding_date": "foundingDate", "dissolution_date": "dissolutionDate",
    "start_date": "startDate", "end_date": "endDate", "year": "datePublished",
    "author": "author", "language": "inLanguage", "printed": "text",
    "container_title": "isPartOf",
    # id columns: the row they name, as a linked thing
    "place_id": "location", "parent_id": "parentOrganization", "in_source_id": "isPartOf", "source_id": "citation",
}
DATE_COLUMNS = {"birth_date", "death_date", "founding_date", "dissolution_date", "start_date", "end_date", "year"}
ALTERNATE_NAMES = ("name_es", "name_ru", "abbreviation", "other_names")
LIST_SEPARATOR = "; "  # other_names holds several
SAME_AS = ("url",)  # columns holding the address of the same thing elsewhere
RELEASE_FOLDER = Path(__file__).resolve().parents[2] / "dist" / "release"  # where pipeline/release.py writes
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")  # EDTF dates schema.org can take as they are (not 1952~, 195X)


def iso_date(value):
    """An EDTF date schema.org accepts as it is (1952, 1952-04, 1952-04-09), or None (uncertain, approximate,
    unspecified digits: not to be stated as a plain date)."""
    return value if isinstance(value, str) and ISO_DATE.match(value) else None


def add(thing, prop, value):
    """Set a property, turning a second value into a list."""
    if value in (None, "", []):
        return
    if prop not in thing:
        thing[prop] = value
    else:
        thing[prop] = (thing[prop] if isinstance(thing[prop], list) else [thing[prop]]) + [value]


def describe_row(row, schema_type, url, name, references):
    """The JSON-LD of one row. `references`: {id column: {"@type", "@id", "name"}} of the rows its ids name."""
    thing = {"@context": CONTEXT, "@type": schema_type, "@id": url, "url": url, "name": name, "identifier": row["id"]}
    for column in ALTERNATE_NAMES:
        for value in (row.get(column) or "").split(LIST_SEPARATOR):
            if value.strip() and value.strip() != name:
                add(thing, "alternateName", value.strip())
    for column, value in row.items():
        if value in (None, "") or column not in COLUMN_PROPERTIES:
            continue
        prop = COLUMN_PROPERTIES[column]
        if column in references:
            add(thing, prop, references[column])
        elif column in DATE_COLUMNS:
            add(thing, prop, iso_date(value))
        elif column == "container_title":
            add(thing, prop, {"@type": "CreativeWork", "name": value})
        else:
            add(thing, prop, value)
    for column in SAME_AS:
        if str(row.get(column) or "").startswith(("http://", "https://")):
            add(thing, "sameAs", row[column])
    if row.get("latitude") is not None and row.get("longitude") is not None:
        thing["geo"] = {"@type": "GeoCoordinates", "latitude": row["latitude"], "longitude": row["longitude"]}
    if row.get("country"):
        thing["address"] = {"@type": "PostalAddress", "addressCountry": row["country"]}
    return thing


def describe_dataset(dataset, url, downloads, temporal, place):
    """The home page's Dataset. `downloads`: [(name, media type, URL)]; `temporal`: (first day, last day) or
    None; `place`: the spatial coverage as a Place."""
    thing = {
        "@context": CONTEXT, "@type": "Dataset", "@id": url, "url": url,
        "name": dataset["name"], "description": dataset["description"], "version": dataset["version"],
        "license": dataset["license"], "isAccessibleForFree": True,
        "creator": [{"@type": "Organization", "name": name} for name in dataset["creator"]],
        "distribution": [{"@type": "DataDownload", "name": name, "encodingFormat": media, "contentUrl": link}
                         for name, media, link in downloads],
    }
    if temporal and all(temporal):
        thing["temporalCoverage"] = f"{temporal[0]}/{temporal[1]}"
    if place:
        thing["spatialCoverage"] = place
    return thing


def script_json(thing):
    """JSON safe inside <script>: no `<` can close the element."""
    return Markup(json.dumps(thing, ensure_ascii=False, indent=1).replace("<", "\\u003c"))


def release_archive_path(config):
    """The file of this version's release archive, where it is written (it may not be)."""
    return Path(config.get("release_folder") or RELEASE_FOLDER) / config["dataset"]["release_archive"]


def main_database(datasette):
    return next(name for name in datasette.databases if name != "_internal")


async def linked(datasette, db, database, table, key, types, request):
    label = await db.label_column_for_table(table)
    found = (await db.execute(f"select [{label}] from [{table}] where id = ?", [key])).first() if label else None
    url = datasette.absolute_url(request, f"{datasette.urls.table(database, table)}/{tilde_encode(str(key))}")
    return {"@type": types[table], "@id": url, "name": found[0] if found else str(key)}


async def row_json_ld(datasette, database, table, key, request, config):
    db = datasette.get_database(database)
    row = (await db.execute(f"select * from [{table}] where id = ?", [key])).first()
    if row is None:
        return None
    row = dict(row)
    types = config["types"]
    references = {}
    for column, target in config["id_columns"].items():
        if row.get(column) and target in types and column in COLUMN_PROPERTIES:
            references[column] = await linked(datasette, db, database, target, row[column], types, request)
    label = await db.label_column_for_table(table)
    url = datasette.absolute_url(request, f"{datasette.urls.table(database, table)}/{tilde_encode(str(key))}")
    return describe_row(row, types[table], url, str(row.get(label) or key), references)


async def dataset_json_ld(datasette, request, config):
    database = main_database(datasette)
    db = datasette.get_database(database)
    dataset = config["dataset"]
    absolute = lambda path: datasette.absolute_url(request, path)
    downloads = [(f"{database}.db", "application/vnd.sqlite3", absolute(datasette.urls.database(database) + ".db"))]
    downloads += [(f"{table}.csv", "text/csv", absolute(datasette.urls.table(database, table, format="csv") + "?_stream=on"))
                  for table in config["tables"]]
    if release_archive_path(config).is_file():
        downloads.append((dataset["release_archive"], "application/zip", absolute(f"/-/release/{dataset['release_archive']}")))
    bounds = []
    for table, earliest, latest in config["event_dates"]:
        bounds.append((await db.execute(f"select min([{earliest}]), max([{latest}]) from [{table}]")).first())
    temporal = (min(b[0] for b in bounds if b[0]), max(b[1] for b in bounds if b[1])) if bounds else None
    place = None
    if dataset.get("spatial_coverage") and "places" in config["types"]:
        place = await linked(datasette, db, database, "places", dataset["spatial_coverage"], config["types"], request)
    return describe_dataset(dataset, absolute("/"), downloads, temporal, place)


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    config = datasette.plugin_config(PLUGIN)
    if not config or request is None:
        return {}
    if view_name == "index":
        async def home():
            return {"json_ld": script_json(await dataset_json_ld(datasette, request, config))}
        return home
    if view_name == "row" and table in config["types"]:
        async def reading_page():
            thing = await row_json_ld(datasette, database, table, tilde_decode(request.url_vars["pks"]), request, config)
            return {"json_ld": script_json(thing)} if thing else {}
        return reading_page
    return {}


async def release_archive(datasette, request):
    config = datasette.plugin_config(PLUGIN) or {}
    name = request.url_vars["name"]
    if not config or name != config["dataset"]["release_archive"] or not release_archive_path(config).is_file():
        return Response.text(f"No release archive {name} here: `make release` writes it.", status=404)
    return AsgiFileDownload(release_archive_path(config), filename=name, content_type="application/zip")


@hookimpl
def register_routes():
    return [(r"^/-/release/(?P<name>[^/]+)$", release_archive)]
