"""The dataset in the formats other tools read, built from the served database by pipeline/ modules:

    /-/popolo.json                       people, organizations, memberships, events, places (pipeline/popolo.py)
    /-/works.bib, /-/works/<id>.bib      the cited works as BibTeX (pipeline/bibliography.py)
    /-/works.csl.json, /-/works/<id>.csl.json    the same as CSL-JSON

The database is immutable, so the works are read once and the Popolo document is built and
serialized once per site address (its links are absolute), the last few kept.
"""
import json
from collections import OrderedDict

from datasette import hookimpl
from datasette.utils.asgi import Response

from pipeline.bibliography import bibtex, csl_json, read_works
from pipeline.popolo import popolo_from_connection

MAX_ADDRESSES = 4  # Popolo documents kept, one per address the site was reached at (Host header)
CORS = {"Access-Control-Allow-Origin": "*"}
_popolo = OrderedDict()
_works = {}


def headers(datasette):
    return {**CORS, "Cache-Control": f"max-age={datasette.setting('default_cache_ttl')}"}


def as_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2)


def json_response(datasette, text, content_type="application/json"):
    return Response(text, content_type=f"{content_type}; charset=utf-8", headers=headers(datasette))


async def popolo(request, datasette):
    db = datasette.get_database()
    base = datasette.absolute_url(request, "/").rstrip("/")
    if base not in _popolo:
        _popolo[base] = as_json(await db.execute_fn(lambda conn: popolo_from_connection(conn, db.name, base)))
        while len(_popolo) > MAX_ADDRESSES:
            _popolo.popitem(last=False)
    return json_response(datasette, _popolo[base])


async def works(datasette, work_id=None):
    """Every work, or a one-item list for `work_id` (empty when there is no such work)."""
    db = datasette.get_database()
    if db.name not in _works:
        _works[db.name] = await db.execute_fn(read_works)
    everything = _works[db.name]
    return everything if work_id is None else [w for w in everything if w["id"] == work_id]


def not_found(work_id):
    return Response.text(f"no work has the id {work_id!r}; /-/works.bib lists them all", status=404, headers=CORS)


async def works_bibtex(request, datasette):
    work_id = request.url_vars.get("work")
    found = await works(datasette, work_id)
    if not found:
        return not_found(work_id)
    return Response(bibtex(found), content_type="application/x-bibtex; charset=utf-8", headers=headers(datasette))


async def works_csl(request, datasette):
    work_id = request.url_vars.get("work")
    found = await works(datasette, work_id)
    if not found:
        return not_found(work_id)
    return json_response(datasette, as_json(csl_json(found)), "application/vnd.citationstyles.csl+json")


@hookimpl
def register_routes():
    return [
        (r"^/-/popolo\.json$", popolo),
        (r"^/-/works\.bib$", works_bibtex),
        (r"^/-/works/(?P<work>[^/]+)\.bib$", works_bibtex),
        (r"^/-/works\.csl\.json$", works_csl),
        (r"^/-/works/(?P<work>[^/]+)\.csl\.json$", works_csl),
    ]
