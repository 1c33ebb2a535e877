"""The site's configuration: canned queries (queries/*.sql), views (views/*.sql) and
site/metadata.yml, checked against the database and merged into one metadata.json.

A query or view file starts with a header of `-- ` comment lines holding YAML:

    -- title: A person's profile                      (queries)
    -- description: Everything about one person …
    -- parameters:                                     (queries: every :name of the SQL, with an example)
    --   person: guillermo-lora
    -- question: Guillermo Lora's profile              (optional: the home page's link text)
    -- fragment: g.mark=bar&…                          (optional: a datasette-vega chart)
    -- hide_sql: false                                 (optional: the SQL is hidden unless this says false)
    -- page: people                                     (optional: its rows are the sections of each row page of
                                                        that table; its one parameter is the row's id)
    -- columns: {id: …}                                (views: a description of every column)
    -- materialize: true                               (views, optional: computed once by the build into a table
                                                        of that name, for answers that aggregate every row)

followed by the SQL (a view's is the SELECT; the file name is the view's name).
"""
import html
import re
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .links import id_columns
from .package import all_fields, derived_date_fields
from .problems import Problem
from .reconcile import NAME_TABLE, name_table_metadata

QUERY_KEYS = {"title": True, "description": True, "parameters": True, "question": False, "fragment": False, "hide_sql": False,
              "page": False}
VIEW_KEYS = {"description": True, "columns": True, "materialize": False}
PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
SITE_KEYS = {"title", "description", "description_html", "license", "license_url", "source", "source_url",
             "about", "about_url", "databases", "home_page", "questions", "plugins", "extra_css_urls", "extra_js_urls"}
DATABASE_KEYS = {"description", "description_html", "tables"}
TABLE_KEYS = {"sort", "sort_desc", "facets", "label_column", "hidden", "size", "sortable_columns", "title"}


@dataclass
class SqlFile:
    """One query or view: its name (the file name), header and SQL."""

    name: str
    path: Path
    header: dict
    sql: str
    sql_line: int = 1

    @property
    def parameters(self):
        return self.header.get("parameters") or {}

    def example_path(self, database):
        """The URL path of this query with its example parameters (and chart fragment)."""
        query = urllib.parse.urlencode(self.parameters)
        fragment = self.header.get("fragment")
        return f"/{database}/{self.name}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


def read_sql_file(path, keys, problems):
    lines = path.read_text(encoding="utf-8").splitlines()
    count = next((i for i, line in enumerate(lines) if not line.startswith("--")), len(lines))
    text = "\n".join(line[3:] if line.startswith("-- ") else line[2:] for line in lines[:count])
    try:
        header = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else 1, "", f"header is not valid YAML: {getattr(error, 'problem', error)}"))
        return None
    if not isinstance(header, dict):
        problems.append(Problem(path, 1, "", "header must be `-- key: value` lines"))
        return None
    for key, required in keys.items():
        if required and key not in header:
            problems.append(Problem(path, 1, "", f"header has no {key!r}; expected {', '.join(k for k, r in keys.items() if r)}"))
    for key in sorted(set(header) - set(keys)):
        problems.append(Problem(path, 1, "", f"header key {key!r} is not known; expected some of {', '.join(keys)}"))
    sql = "\n".join(lines[count:]).strip()
    if not sql:
        problems.append(Problem(path, count + 1, "", "no SQL after the header"))
    return SqlFile(path.stem, path, header, sql, count + 1)


def read_queries(folder, problems):
    queries = {}
    for path in sorted(folder.glob("*.sql")):
        query = read_sql_file(path, QUERY_KEYS, problems)
        if query is None:
            continue
        used = list(dict.fromkeys(PARAMETER.findall(query.sql)))
        declared = query.parameters if isinstance(query.parameters, dict) else {}
        for name in used:
            if name not in declared:
                problems.append(Problem(path, 1, "", f"the SQL uses :{name} but the header's parameters do not give it an example"))
        for name in declared:
            if name not in used:
                problems.append(Problem(path, 1, "", f"parameter {name!r} is not used by the SQL"))
        queries[query.name] = query
    return queries


def read_views(folder, problems):
    views = {}
    for path in sorted(folder.glob("*.sql")):
        view = read_sql_file(path, VIEW_KEYS, problems)
        if view is not None:
            if not isinstance(view.header.get("materialize", False), bool):
                problems.append(Problem(path, 1, "", "materialize: must be true or false"))
            views[view.name] = view
    return views


def read_site_metadata(path, problems):
    try:
        metadata = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problems.append(Problem(path, mark.line + 1 if mark else 0, "", f"is not valid YAML: {getattr(error, 'problem', error)}"))
        return {}
    for key in sorted(set(metadata) - SITE_KEYS):
        problems.append(Problem(path, 0, "", f"key {key!r} is not known; expected some of {', '.join(sorted(SITE_KEYS))}"))
    return metadata


def name_clashes(queries, views, tables):
    """Datasette resolves a canned query before a table or view of the same name, hiding it."""
    for name, query in queries.items():
        if name in tables or name in views:
            kind = "table" if name in tables else "view"
            yield Problem(query.path, 1, "", f"query {name!r} has the name of a {kind}, which it would hide; rename the file")
    for name, view in views.items():
        if name in tables:
            yield Problem(view.path, 1, "", f"view {name!r} has the name of a table")


def site_problems(metadata, path, database, columns, queries):
    """Names in site/metadata.yml that the database does not have. `columns`: {table or view: [column]}."""
    databases = metadata.get("databases", {})
    for name in databases:
        if name != database:
            yield Problem(path, 0, "", f"databases.{name}: there is no such database; expected {database}")
    config = databases.get(database, {})
    for key in sorted(set(config) - DATABASE_KEYS):
        yield Problem(path, 0, "", f"databases.{database}.{key}: not known here; queries live in queries/, descriptions in data/ and views/")
    for table, settings in (config.get("tables") or {}).items():
        where = f"databases.{database}.tables.{table}"
        if table not in columns:
            yield Problem(path, 0, "", f"{where}: there is no table or view {table!r}")
            continue
        for key in sorted(set(settings) - TABLE_KEYS):
            yield Problem(path, 0, "", f"{where}.{key}: not known; expected some of {', '.join(sorted(TABLE_KEYS))}")
        named = list(settings.get("facets", [])) + list(settings.get("sortable_columns", []))
        named += [settings[k] for k in ("sort", "sort_desc", "label_column") if k in settings]
        for column in named:
            if column not in columns[table]:
                yield Problem(path, 0, "", f"{where}: {column!r} is not a column of {table}")
    for name, query in queries.items():
        page = query.header.get("page")
        if page is not None and (page not in columns or len(query.parameters) != 1):
            yield Problem(query.path, 1, "", f"page: {page!r} must be a table, and the query must have exactly one parameter")
    for index, item in enumerate(metadata.get("questions") or []):
        target = str(item.get("path", "")).partition("?")[0].split("/") if isinstance(item, dict) else []
        if not (isinstance(item, dict) and item.get("question") and len(target) >= 3 and target[1] == database
                and (target[2] in queries or target[2] in columns)):
            yield Problem(path, 0, "", f"questions[{index}]: expected a question and a path /{database}/<query or table>…")
    for section, names in (metadata.get("home_page") or {}).items():
        for name in names:
            if name not in queries:
                yield Problem(path, 0, "", f"home_page.{section}: {name!r} is not a query in queries/")


def view_column_problems(view, actual_columns):
    described = view.header.get("columns") or {}
    for column in actual_columns:
        if not described.get(column):
            yield Problem(view.path, 1, "", f"column {column!r} of the view is not described under columns")
    for column in described:
        if column not in actual_columns:
            yield Problem(view.path, 1, "", f"columns: {column!r} is not a column of the view")


QUESTIONS_MARK = "<!-- questions -->"


def home_page_html(metadata, queries, database):
    """(the questions' list, the lists of queries) as HTML for the home page."""
    questions = ""
    if metadata.get("questions"):
        items = "".join(f'<li><a href="{html.escape(q["path"])}">{html.escape(q["question"])}</a></li>' for q in metadata["questions"])
        questions = f'<h3>Questions this dataset answers</h3>\n<ol class="questions">{items}</ol>'
    parts = []
    for section, names in (metadata.get("home_page") or {}).items():
        items = "".join(
            f'<li><a href="{html.escape(queries[n].example_path(database))}">'
            f'{html.escape(queries[n].header.get("question") or queries[n].header["title"])}</a></li>'
            for n in names)
        parts.append(f"<h3>{html.escape(section)}</h3>\n<ul>{items}</ul>")
    return questions, "\n".join(parts)


def reading_pages_config(package, queries):
    """What site/plugins/reading_pages.py needs: which columns are ids of which table, which build-derived
    columns the page leaves out, and which query gives each table's page its sections."""
    derived = {r["name"]: [f["name"] for f in all_fields(package, r)[len(r["schema"]["fields"]):]] for r in package["resources"]}
    return {
        "id_columns": id_columns(package),
        "derived_columns": derived,
        "pages": {q.header["page"]: {"query": name, "parameter": next(iter(q.parameters))}
                  for name, q in queries.items() if q.header.get("page")},
    }


def schema_org_config(package):
    """What site/plugins/json_ld.py and sitemap.py need: the schema.org type of each table whose rows are
    reading pages, the id columns, what the home page's Dataset says, and the event dates its temporal
    coverage is the range of."""
    types = {r["name"]: r["schemaOrgType"] for r in package["resources"] if "schemaOrgType" in r}
    events = [r for r in package["resources"] if r.get("schemaOrgType") == "Event"]
    dates = [(r["name"], derived_date_fields(package, f["name"])) for r in events for f in r["schema"]["fields"] if f.get("edtf")]
    return {
        "types": types,
        "id_columns": id_columns(package),
        "tables": [r["name"] for r in package["resources"]],
        "dataset": {
            "name": package["title"],
            "description": package["description"],
            "version": package["version"],
            "license": package["licenses"][0]["path"],
            "creator": [c["title"] for c in package["contributors"]],
            "spatial_coverage": package.get("spatialCoverage"),
            "release_archive": f"{package['name']}-{package['version']}.zip",
        },
        # [(table, earliest-day column, latest-day column)] of every date of the Event tables
        "event_dates": [[table, fields[0]["name"], fields[1]["name"]] for table, fields in dates],
    }


def datasette_metadata(metadata, package, views, queries, database):
    """The complete metadata.json Datasette serves: site settings, then every description."""
    result = {k: v for k, v in metadata.items() if k not in ("databases", "home_page")}
    result.setdefault("plugins", {})["reading-pages"] = reading_pages_config(package, queries)
    result["plugins"]["schema-org"] = schema_org_config(package)
    result["plugins"]["search-terms"] = {"name_fields": {r["name"]: r["schema"]["nameFields"]
                                                         for r in package["resources"] if r["schema"].get("nameFields")}}
    # The date columns the build derives (sorting, facets, JSON, CSV, SQL) are left off table pages (site/plugins/table_rows.py).
    result["plugins"]["table-rows"] = {"hidden_columns": {
        r["name"]: [d["name"] for f in r["schema"]["fields"] if f.get("edtf") for d in derived_date_fields(package, f["name"])]
        for r in package["resources"] if any(f.get("edtf") for f in r["schema"]["fields"])}}
    # The questions go where description_html marks them (<!-- questions -->), the query lists after them.
    description = metadata.get("description_html", "")
    questions, lists = home_page_html(metadata, queries, database)
    if QUESTIONS_MARK not in description:
        description += "\n" + QUESTIONS_MARK
    result["description_html"] = (description.replace(QUESTIONS_MARK, questions, 1) + "\n" + lists).strip()
    config = dict(metadata.get("databases", {}).get(database, {}))
    tables = {}
    for resource in package["resources"]:
        tables[resource["name"]] = {
            "title": resource["title"],
            "description": resource["description"],
            "columns": {f["name"]: f["description"] for f in all_fields(package, resource)},
        }
    for name, view in views.items():
        tables[name] = {"description": view.header["description"], "columns": dict(view.header["columns"])}
    tables[NAME_TABLE] = name_table_metadata()
    for name, settings in (config.get("tables") or {}).items():
        tables.setdefault(name, {}).update(settings)
    config["tables"] = tables
    config["queries"] = {
        name: {"title": q.header["title"], "description": q.header["description"], "sql": q.sql,
               "params": list(q.parameters), "hide_sql": q.header.get("hide_sql", True),
               **{k: q.header[k] for k in ("fragment",) if k in q.header}}
        for name, q in queries.items()
    }
    result["databases"] = {database: config}
    return result
