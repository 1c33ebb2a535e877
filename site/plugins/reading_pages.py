"""Reading pages and links: every row page is a page about its entity, and every name is a link.

- A row page gets a title (the row's label), a card of its facts with foreign keys shown by
  label and linked, the sections of the query whose file says `page: <table>` (one SQL for the
  query page and the reading page), and a one-line citation with the stable URL.
- Query results (and views) link every cell that names a row, by the rules of
  pipeline/links.py; the build writes which columns are ids of which table.
"""
import functools
from collections import defaultdict

from datasette import hookimpl
from datasette.utils import tilde_decode, tilde_encode
from markupsafe import Markup, escape

from pipeline.links import cell_link, may_link

PLUGIN = "reading-pages"
SITE_NAME = "Bolivian Trotskyism reference dataset"
OTHER_NAMES = ("name_es", "name_ru", "other_names")  # shown under the title, not again in the card


# A page links the same tables and ids again and again; encoding them was a third of a query page's time.
@functools.lru_cache(maxsize=256)
def table_url(datasette, database, table):
    return datasette.urls.table(database, table)


@functools.lru_cache(maxsize=8192)
def encoded_key(key):
    return tilde_encode(key)


def row_url(datasette, database, table, key):
    return f"{table_url(datasette, database, table)}/{encoded_key(str(key))}"


def link_html(datasette, database, table, key, text):
    return Markup(f'<a href="{escape(row_url(datasette, database, table, key))}">{escape(text)}</a>')


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    config = datasette.plugin_config(PLUGIN) or {}
    if not config or table in config["derived_columns"]:  # base tables: Datasette links their foreign keys itself
        return None
    if not may_link(column, config["id_columns"]):
        return None  # skip copying the row for a cell no rule can link
    row = dict(zip(row.keys(), row)) if hasattr(row, "keys") else {}
    target = cell_link(row, column, config["id_columns"], config["derived_columns"])  # its keys are the tables
    if target is None:
        return None
    return link_html(datasette, database, target[0], target[1], value)


async def label_of(db, table, key):
    """The row's label (its label_column), or its id where the table has none."""
    label = await db.label_column_for_table(table)
    row = (await db.execute(f"select [{label}] from [{table}] where id = ?", [key])).first() if label else None
    return row[0] if row else key


async def reading_page(datasette, database, table, key, request):
    config = datasette.plugin_config(PLUGIN) or {}
    db = datasette.get_database(database)
    row = (await db.execute(f"select * from [{table}] where id = ?", [key])).first()
    if row is None:
        return {}
    row = dict(row)
    derived = set(config["derived_columns"].get(table, []))
    described = datasette.metadata("columns", database=database, table=table) or {}
    foreign = {c: t for c, t in config["id_columns"].items() if c in row and row[c]}
    labels = {column: await label_of(db, target, row[column]) for column, target in foreign.items()}
    label_column = await db.label_column_for_table(table)
    title = str(row.get(label_column) or key)
    card = []
    for column, value in row.items():
        if value is None or value == "" or column in derived or column == label_column or column in OTHER_NAMES:
            continue
        if column in foreign:
            shown = link_html(datasette, database, foreign[column], value, labels[column])
        else:
            shown = escape(value)
        card.append({"column": column, "label": column.replace("_", " "), "value": shown, "description": described.get(column, "")})
    sections = await profile_sections(datasette, database, config["pages"].get(table), key, set(config["derived_columns"]), config["id_columns"])
    url = datasette.absolute_url(request, row_url(datasette, database, table, key))
    return {
        "page": {
            "title": title,
            "other_names": [row[c] for c in OTHER_NAMES if row.get(c)],
            "card": card,
            "sections": sections,
            "citation": f"“{title}”, {table} record {key}. {SITE_NAME}. CC BY 4.0. {url}",
            "url": url,
        },
        "site": datasette.metadata(),
    }


async def profile_sections(datasette, database, page, key, tables, id_columns):
    if not page:
        return []
    query = await datasette.get_canned_query(database, page["query"], None)
    results = await datasette.get_database(database).execute(query["sql"], {page["parameter"]: key})
    shown = [c for c in results.columns if c not in ("section", "link_table", "link_id")]
    grouped = defaultdict(list)
    for result in results.rows:
        values = dict(result)
        cells = {}
        for column in shown:
            target = cell_link(values, column, id_columns, tables)
            value = values[column]
            cells[column] = (link_html(datasette, database, target[0], target[1], value) if target and value not in (None, "")
                             else escape(value if value is not None else ""))
        grouped[values.get("section") or query["title"]].append(cells)
    url = datasette.urls.database(database) + f"/{page['query']}?{page['parameter']}={tilde_encode(str(key))}"
    return [{"title": title, "columns": [c for c in shown if any(r[c] for r in rows)], "rows": rows, "query_url": url}
            for title, rows in grouped.items()]


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    if view_name != "row":
        return {}

    async def page_vars():
        return await reading_page(datasette, database, table, tilde_decode(request.url_vars["pks"]), request)

    return page_vars
