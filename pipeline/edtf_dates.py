"""EDTF dates as ISO day bounds, shared by the build and the site's SQL functions."""
from functools import lru_cache

import edtf

# Longer strings are never a date of this dataset; refusing them keeps a hostile
# parameter (a long EDTF set) from holding a worker for seconds in the grammar.
MAX_EDTF_LENGTH = 32


@lru_cache(maxsize=8192)  # bounded: the SQL functions hand it whatever a request sends
def parse_edtf(value):
    """The parsed EDTF date, or None; cached because the edtf grammar is slow (~5 ms a call)."""
    if len(value) > MAX_EDTF_LENGTH:
        return None
    try:
        return edtf.parse_edtf(value)
    except Exception:
        return None


def edtf_bounds(value):
    """(earliest, latest) ISO days an EDTF string can mean, or (None, None) if empty or invalid."""
    parsed = parse_edtf(value) if isinstance(value, str) and value else None
    if parsed is None:
        return None, None
    low, high = parsed.lower_strict(), parsed.upper_strict()
    return (f"{low.tm_year:04d}-{low.tm_mon:02d}-{low.tm_mday:02d}", f"{high.tm_year:04d}-{high.tm_mon:02d}-{high.tm_mday:02d}")


def register_sql_functions(conn):
    """edtf_earliest(value) and edtf_latest(value) on a SQLite connection: the site's and the benchmark's."""
    conn.create_function("edtf_earliest", 1, lambda value: edtf_bounds(value)[0], deterministic=True)
    conn.create_function("edtf_latest", 1, lambda value: edtf_bounds(value)[1], deterministic=True)
