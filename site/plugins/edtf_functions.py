"""SQL functions for EDTF dates, for queries that compare a typed date with the data's.

edtf_earliest('1952-04') -> '1952-04-01'; edtf_latest('1952-04') -> '1952-04-30';
edtf_latest('195X') -> '1959-12-31'. NULL for an empty, invalid or overlong date.
"""
from datasette import hookimpl

from pipeline.edtf_dates import edtf_bounds


@hookimpl
def prepare_connection(conn):
    conn.create_function("edtf_earliest", 1, lambda value: edtf_bounds(value)[0], deterministic=True)
    conn.create_function("edtf_latest", 1, lambda value: edtf_bounds(value)[1], deterministic=True)
