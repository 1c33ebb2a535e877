"""Ask SQLite about the schema of an immutable database once, not on every request.

Datasette 0.65.5 re-reads the schema on every request: each table's columns, primary keys,
full-text table and foreign keys, which tables are hidden, and (before every request) whether
any schema changed. The home page alone made 238 such queries, each a hop to a worker
thread, and a table page about 40. The served file is opened immutable and its schema cannot
change while the server runs, so each answer is computed on first use and kept, one per
(question, table of the schema): the memory is bounded by the schema, and a name that is not
in it (a mistyped URL) is asked each time. Nothing changes where any database is mutable.
Tied to the pinned Datasette version: tests/test_cache.py checks every page is the same without
this cache and that Datasette asks no schema question twice.
"""
from datasette import hookimpl

# Database methods whose answer depends only on the schema (and the static metadata).
SCHEMA_QUESTIONS = ("attached_databases", "table_exists", "table_names", "view_names", "table_columns", "table_column_details",
                    "primary_keys", "fts_table", "label_column_for_table", "foreign_keys_for_table",
                    "hidden_table_names", "get_all_foreign_keys", "get_table_definition", "get_view_definition")


def remember(ask, names):
    answers = {}

    async def remembered(*args, **kwargs):
        if args and args[0] not in names:
            return await ask(*args, **kwargs)
        key = (args, tuple(sorted(kwargs.items())))
        if key not in answers:
            answers[key] = await ask(*args, **kwargs)
        # A caller may extend the list it is given: each gets its own (a deep copy cost a tenth of a row page).
        answer = answers[key]
        return answer.copy() if isinstance(answer, (list, dict)) else answer

    remembered.answers = answers
    return remembered


def frozen_schema_databases(datasette):
    """The databases whose schema cannot change: every one, or none if any file is opened mutable."""
    files = [db for name, db in datasette.databases.items() if name != "_internal"]
    if any(db.is_mutable for db in files):
        return []
    return list(datasette.databases.values())


@hookimpl
def startup(datasette):
    async def freeze():
        databases = frozen_schema_databases(datasette)
        if not databases:
            return
        # One refresh fills Datasette's _internal catalog; after it, no schema can change.
        await datasette.refresh_schemas()

        async def schemas_are_fixed():
            return None

        datasette.refresh_schemas = schemas_are_fixed
        for db in databases:
            names = {row[0] for row in await db.execute("select name from sqlite_master")}
            for question in SCHEMA_QUESTIONS:
                setattr(db, question, remember(getattr(db, question), names))

    return freeze
