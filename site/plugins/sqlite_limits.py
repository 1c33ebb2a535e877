"""SQLite's own limits on every connection, and a bound on what one query hands to Python.

The time limit (sql_time_limit_ms) stops a slow query; these stop a big one, which can be fast:
`select zeroblob(200000000)` reached 6 GB and a huge printf 5.7 GB before them.

- SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES: the longest string, blob or row SQLite will build. The
  largest value in the database is a 4 KB full-text index block; a group_concat of a whole
  table's names is tens of KB.
- SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES: the longest statement (query strings stop at 16 KB,
  site/plugins/request_limits.py; the longest canned query is under 3 KB).
- MAX_RESULT_BYTES: the text and blobs of the rows one query returns. Datasette keeps up to
  max_returned_rows rows in memory, so without it 2,000 rows of 1 MB values would be 2 GB; the
  largest real answer, a whole table as JSON, is under 1 MB.

And one repair: the cursor of a query that failed while running (past the time limit, a value
too big, an integer overflow) is closed in its own thread. Datasette 0.65.5 leaves it in the
exception's traceback, a reference cycle; the garbage collector later frees it in whichever
thread it runs, usually the event loop's, and freeing it resets its statement, which waits for
the connection's mutex. By then the worker thread has reused that connection for another query,
so the whole server (every page, every static file) froze until that query ended: a 1.5 s stall
for every heavy query that followed a failed one.
"""
import contextlib
import sqlite3
import weakref

import datasette.database
from datasette import hookimpl

MAX_VALUE_BYTES = 1_000_000
MAX_SQL_BYTES = 100_000
MAX_RESULT_BYTES = 20_000_000


def budgeted_rows(limit):
    """A row factory giving Datasette's sqlite3.Row, refusing a result once its text and blobs pass `limit`."""
    spent = weakref.WeakKeyDictionary()  # per cursor, i.e. per query

    def row(cursor, values):
        size = spent.get(cursor, 0) + sum(len(v) for v in values if isinstance(v, (str, bytes)))
        if size > limit:
            raise sqlite3.DataError(f"the result is over {limit // 1_000_000} MB; select fewer rows or shorter values")
        spent[cursor] = size
        return sqlite3.Row(cursor, values)

    return row


def cursors_in(traceback):
    while traceback is not None:
        yield from (v for v in traceback.tb_frame.f_locals.values() if isinstance(v, sqlite3.Cursor))
        traceback = traceback.tb_next


def closing_failed_cursors(time_limit):
    """Datasette's per-query time limit (a context manager around the query, in its thread), which
    also closes the query's cursor when the query raises."""
    @contextlib.contextmanager
    def limited(conn, ms):
        with time_limit(conn, ms):
            try:
                yield
            except BaseException as error:
                for cursor in cursors_in(error.__traceback__):
                    cursor.close()
                raise

    limited.closes_failed_cursors = True
    return limited


if not getattr(datasette.database.sqlite_timelimit, "closes_failed_cursors", False):
    datasette.database.sqlite_timelimit = closing_failed_cursors(datasette.database.sqlite_timelimit)


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    conn.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, MAX_SQL_BYTES)
    conn.row_factory = budgeted_rows(MAX_RESULT_BYTES)
