"""On a person's or an organization's row page, show the answer of its profile query.

The SQL lives once, as the canned queries person_profile and organization_history in
metadata.yml; this only runs the matching one for the row being viewed.
"""
from datasette import hookimpl

PROFILE_QUERIES = {"people": ("person_profile", "person"), "organizations": ("organization_history", "organization")}


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    if view_name != "row" or table not in PROFILE_QUERIES:
        return {}

    async def profile_vars():
        name, parameter = PROFILE_QUERIES[table]
        query = await datasette.get_canned_query(database, name, request.actor)
        row_id = request.url_vars["pks"]
        results = await datasette.get_database(database).execute(query["sql"], {parameter: row_id})
        return {"profile": {
            "title": query["title"],
            "url": datasette.urls.database(database) + f"/{name}?{parameter}={row_id}",
            "columns": results.columns,
            "rows": [dict(r) for r in results.rows],
        }}

    return profile_vars
