"""What the diagram pages (templates/pages/*.html, templates/_gantt.html) need from the database, and the
default chart of a canned query.

- `charts` in the template of a custom page or a row page: the database's URL, the people and organizations
  for the pages' choosers, and the years the events span (the axis of a chart with nothing dated). The
  pages draw from the canned queries' JSON (site/static/charts.js), so nothing here restates their SQL.
- A canned query with a `fragment` (a datasette-vega chart) opens with that chart when the URL has none,
  not only when reached through a link that carries it.
"""
import json

from datasette import hookimpl

INTERNAL = "_internal"


def the_database(datasette):
    return next(name for name in datasette.databases if name != INTERNAL)


CHART_ROWS = ("people", "organizations")  # the row pages with a membership chart (templates/_gantt.html)


async def chart_context(datasette, database, choosers):
    db = datasette.get_database(database)
    extent = (await db.execute(
        "select min(start_date_earliest), max(coalesce(end_date_latest, start_date_latest)) from events")).first()
    context = {"database": database, "database_url": datasette.urls.database(database),
               "extent": {"from": extent[0], "to": extent[1]}}
    if choosers:
        people = await db.execute("select id, name from people order by name")
        organizations = await db.execute(
            "select id, name, coalesce(abbreviation, name) as short from organizations order by short collate nocase")
        context.update(people=[dict(r) for r in people.rows], organizations=[dict(r) for r in organizations.rows])
    return context


@hookimpl
def extra_template_vars(view_name, database, table, datasette):
    if view_name == "page" or (view_name == "row" and table in CHART_ROWS):
        async def charts():
            return {"charts": await chart_context(datasette, database or the_database(datasette), view_name == "page")}

        return charts
    return {}


@hookimpl
def extra_body_script(view_name, database, request, datasette):
    """On a canned query's page without a fragment, set the query's chart fragment before datasette-vega reads it."""
    name = (request.url_vars or {}).get("table") if request is not None and database and view_name != "page" else None
    query = (datasette.metadata("queries", database=database) or {}).get(name) if name else None
    fragment = query.get("fragment") if isinstance(query, dict) else None
    if not fragment:
        return None
    return f"if (!window.location.hash) history.replaceState(null, '', '#' + {json.dumps(fragment)});"
