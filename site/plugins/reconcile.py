"""OpenRefine's reconciliation service (Reconciliation Service API 0.2) at /-/reconcile: people,
organizations, places and events matched by any of their names, accents, case and script ignored.

    GET /-/reconcile                           the service manifest
    GET or POST /-/reconcile  queries={...}    candidates for each query of a batch, optionally of one type
    GET /-/reconcile/view/<id>                 the row's page (the manifest's view URL)

The names are the `entity_names` table the build writes (found through its trigram index, `entity_names_fts`);
pipeline/reconcile.py scores them.
"""
import json

from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import Response

from pipeline.reconcile import MAX_CANDIDATES, NAME_TABLE, TRIGRAM_TABLE, best_candidates, fold, trigram_query

PATH = "/-/reconcile"
MAX_QUERIES = 100  # a batch; OpenRefine sends 10 at a time
MAX_QUERY_LENGTH = 200  # no name is longer; a longer cell gets no candidates rather than a slow search
DEFAULT_LIMIT, MAX_LIMIT = 5, 25
MAX_TYPES = 10
CORS = {"Access-Control-Allow-Origin": "*"}


class BadQueries(ValueError):
    pass


async def names_database(datasette):
    for db in datasette.databases.values():
        if db.name != "_internal" and await db.table_exists(NAME_TABLE):
            return db
    return None


def no_names():
    return Response.json({"error": f"this site's database has no {NAME_TABLE} table; rebuild it"}, status=503, headers=CORS)


def parse_queries(text):
    """{key: (query, types, limit)} from the `queries` parameter, or BadQueries saying what is wrong."""
    try:
        queries = json.loads(text)
    except ValueError as error:
        raise BadQueries(f"queries is not JSON: {error}") from None
    if not isinstance(queries, dict) or not queries:
        raise BadQueries('queries must be a JSON object of queries, e.g. {"q0": {"query": "Lechin"}}')
    if len(queries) > MAX_QUERIES:
        raise BadQueries(f"{len(queries)} queries in one batch; send at most {MAX_QUERIES}")
    parsed = {}
    for key, query in queries.items():
        if not isinstance(query, dict) or not isinstance(query.get("query"), str):
            raise BadQueries(f"queries[{key!r}]: expected an object with a query string")
        types = query.get("type") or []
        types = [types] if isinstance(types, str) else types
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types) or len(types) > MAX_TYPES:
            raise BadQueries(f"queries[{key!r}].type: expected a type id or a list of at most {MAX_TYPES}")
        limit = query.get("limit", DEFAULT_LIMIT)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise BadQueries(f"queries[{key!r}].limit: expected a positive integer")
        parsed[key] = (query["query"], types, min(limit, MAX_LIMIT))
    return parsed


async def candidates(db, query, types, limit):
    key = fold(query) if len(query) <= MAX_QUERY_LENGTH else ""
    if not key:
        return []
    expression = trigram_query(key)
    if expression:  # the names sharing a three-letter run with the key, best first
        table, where, params, order = TRIGRAM_TABLE, f"[{TRIGRAM_TABLE}] match ?", [expression], "order by rank"
    else:  # a key too short for a trigram is looked up whole
        table, where, params, order = NAME_TABLE, "key = ?", [key], ""
    if types:
        where += f" and type in ({', '.join('?' * len(types))})"
        params += types
    results = await db.execute(f"select id, type, label, description, key from [{table}] where {where} {order} "
                               f"limit {MAX_CANDIDATES}", params)
    return best_candidates(query, [dict(row) for row in results.rows], limit)


async def manifest(datasette, request, db):
    types = await db.execute(f"select type from [{NAME_TABLE}] group by type order by min(rowid)")
    base = datasette.absolute_url(request, "/").rstrip("/")
    return {
        "versions": ["0.1", "0.2"],
        "name": f"{datasette.metadata('title') or db.name} reconciliation",
        "identifierSpace": f"{base}/{db.name}/",
        "schemaSpace": "http://schema.org/",  # the types are schema.org's Person, Organization, Place, Event
        "defaultTypes": [{"id": row[0], "name": row[0]} for row in types.rows],
        "view": {"url": f"{base}{PATH}/view/{{{{id}}}}"},
    }


async def reconcile(request, datasette):
    db = await names_database(datasette)
    if db is None:
        return no_names()
    try:
        text = request.args.get("queries")
        if request.method == "POST":
            text = (await request.post_vars()).get("queries", text)
        if text is None:
            return Response.json(await manifest(datasette, request, db), headers=CORS)
        answers = {}
        for key, (query, types, limit) in parse_queries(text).items():
            answers[key] = {"result": await candidates(db, query, types, limit)}
        return Response.json(answers, headers=CORS)
    except BadQueries as error:
        return Response.json({"error": str(error)}, status=400, headers=CORS)


async def view(request, datasette):
    """Redirect to the page of the row whose id this is (ids are unique across the reconciled tables)."""
    db = await names_database(datasette)
    if db is None:
        return no_names()
    key = request.url_vars["id"]
    resources = await db.execute(f"select resource from [{NAME_TABLE}] group by resource")
    for (resource,) in resources.rows:
        if (await db.execute(f"select 1 from [{resource}] where id = ?", [key])).first():
            return Response.redirect(datasette.urls.row(db.name, resource, tilde_encode(key)))
    return Response.text(f"no person, organization, place or event has the id {key!r}", status=404)


@hookimpl
def register_routes():
    return [(rf"^{PATH}$", reconcile), (rf"^{PATH}/view/(?P<id>[^/]+)$", view)]


@hookimpl
def skip_csrf(scope):
    """OpenRefine POSTs its batches as a form from another origin, with no CSRF token to give."""
    return scope["type"] == "http" and scope["path"] == PATH
