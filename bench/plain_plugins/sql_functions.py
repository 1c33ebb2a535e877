"""The benchmark's plain Datasette loads only this: the SQL functions the site's canned queries call
(EDTF dates, full-text terms, a typed name to an id), configured as the site configures them, so
that both servers answer the same SQL. BENCH_NAME_FIELDS holds the site's `search-terms` name fields."""
import json
import os

from datasette import hookimpl

from pipeline.edtf_dates import register_sql_functions
from pipeline.search_terms import fts_query, resolve_id

NAME_FIELDS = json.loads(os.environ.get("BENCH_NAME_FIELDS", "{}"))


@hookimpl(trylast=True)
def prepare_connection(conn):
    register_sql_functions(conn)
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    conn.create_function("resolve_id", 2, lambda table, text: resolve_id(conn, table, NAME_FIELDS[table], text)
                         if table in NAME_FIELDS else None, deterministic=True)
