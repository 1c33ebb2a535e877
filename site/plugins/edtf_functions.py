"""SQL functions for EDTF dates, for queries that compare a typed date with the data's.

edtf_earliest('1952-04') -> '1952-04-01'; edtf_latest('1952-04') -> '1952-04-30';
edtf_latest('195X') -> '1959-12-31'. NULL for an empty, invalid or overlong date.
"""
from datasette import hookimpl

from pipeline.edtf_dates import register_sql_functions


@hookimpl
def prepare_connection(conn):
    register_sql_functions(conn)
