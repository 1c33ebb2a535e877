"""EDTF dates as ISO day bounds, shared by the build and the site's SQL functions.

Two costs are kept apart. The edtf grammar (pyparsing, milliseconds a call, far more for a
long set) only checks at build time that a value is EDTF at all. The bounds, which the build
derives for every date and the SQL functions compute for whatever a request sends, are plain
arithmetic on the one shape this dataset's dates take — a year with trailing X digits, then
an optional month and day, then an optional ?, ~ or % qualifier — so no request can make them
slow. Anything else has no bounds.
"""
import calendar
import re
from functools import lru_cache

import edtf

# A date of this dataset is at most 11 characters (195X-04-09?); the grammar never sees more.
MAX_EDTF_LENGTH = 32
DATE_SHAPE = re.compile(r"(\d{4}|\d{3}X|\d{2}XX)(?:-(\d\d)(?:-(\d\d))?)?[?~%]?")


@lru_cache(maxsize=8192)  # bounded: a build's distinct dates are a few hundred
def parse_edtf(value):
    """The parsed EDTF date, or None; cached because the edtf grammar is slow (~5 ms a call)."""
    if len(value) > MAX_EDTF_LENGTH:
        return None
    try:
        return edtf.parse_edtf(value)
    except Exception:
        return None


def _day(year, month, day):
    return f"{year:04d}-{month:02d}-{day:02d}"


def edtf_bounds(value):
    """(earliest, latest) ISO days a date of the dataset's shape can mean; (None, None) for anything
    else: empty, another EDTF form, or no calendar day (1953-02-29, 195X-02-29, 1952-13)."""
    match = DATE_SHAPE.fullmatch(value) if isinstance(value, str) and len(value) <= MAX_EDTF_LENGTH else None
    if match is None:
        return None, None
    year, month, day = match.groups()
    first, last = int(year.replace("X", "0")), int(year.replace("X", "9"))
    if month is None:
        return _day(first, 1, 1), _day(last, 12, 31)
    month = int(month)
    if not 1 <= month <= 12:
        return None, None
    if day is None:
        return _day(first, month, 1), _day(last, month, calendar.monthrange(last, month)[1])
    day = int(day)
    # Both ends must be real days: 195X-02-29 would start on 1950-02-29, which never was.
    if not all(1 <= day <= calendar.monthrange(y, month)[1] for y in (first, last)):
        return None, None
    return _day(first, month, day), _day(last, month, day)


def is_dataset_date(value):
    """A valid EDTF date (by the grammar) of the shape whose bounds the build derives."""
    return edtf_bounds(value)[0] is not None and parse_edtf(value) is not None


def register_sql_functions(conn):
    """edtf_earliest(value) and edtf_latest(value) on a SQLite connection: the site's and the benchmark's."""
    conn.create_function("edtf_earliest", 1, lambda value: edtf_bounds(value)[0], deterministic=True)
    conn.create_function("edtf_latest", 1, lambda value: edtf_bounds(value)[1], deterministic=True)
