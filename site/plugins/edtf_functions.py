"""SQL functions for EDTF dates, for queries that compare a typed date with the data's.

edtf_earliest('1952-04') -> '1952-04-01'; edtf_latest('1952-04') -> '1952-04-30';
edtf_latest('195X') -> '1959-12-31'. NULL for anything but the date forms the dataset uses (a year,
month or day, X for unknown digits of the year, a ?, ~ or % qualifier): intervals, sets and the
rest of EDTF are not parsed, so no parameter can make the functions slow (pipeline/edtf_dates.py).
"""
from datasette import hookimpl

from pipeline.edtf_dates import register_sql_functions


@hookimpl
def prepare_connection(conn):
    register_sql_functions(conn)
