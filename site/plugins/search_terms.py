"""Every full-text search on the site (table pages, search_everything, search-all) reads its words
through pipeline.search_terms: prefixes of stems, so singular and plural forms find each other.
Canned queries turn a typed name into an id with resolve_id('people', :person)."""
from datasette import hookimpl

from pipeline.search_terms import fts_query, resolve_id


# trylast: Datasette's own prepare_connection registers its escape_fts; this one must replace it.
@hookimpl(trylast=True)
def prepare_connection(conn, datasette):
    conn.create_function("escape_fts", 1, fts_query, deterministic=True)
    name_fields = (datasette.plugin_config("search-terms") or {}).get("name_fields", {})

    def resolve(table, text):
        return resolve_id(conn, table, name_fields[table], text) if table in name_fields else None

    # Deterministic (the database is immutable), so SQLite looks a constant name up once per query, not per row.
    conn.create_function("resolve_id", 2, resolve, deterministic=True)
