"""Remember Datasette's per-table permission lookup, which this site's static metadata makes constant.

Datasette 0.65.5's `_table_permission_allows(database, table)` deep-copies every metadata
source on each call, and a page makes dozens of calls (every table on the home page, every
searchable table for datasette-search-all): about 90% of the home page's time here. The
answer depends only on metadata, which is fixed for an immutable deployment (metadata.yml
and datapackage.json are read at startup), so it is computed once per (database, table).
Tied to the pinned Datasette version: `test_permission_cache` fails if the method goes away.
"""
from datasette import hookimpl


@hookimpl
def startup(datasette):
    lookup = datasette._table_permission_allows
    answers = {}

    def remembered(database, table):
        if (database, table) not in answers:
            answers[(database, table)] = tuple(lookup(database, table))
        return answers[(database, table)]

    datasette._table_permission_allows = remembered
