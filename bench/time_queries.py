#!/usr/bin/env python3
"""Time every canned query's SQL on one or more built databases; print a Markdown table.

usage: python bench/time_queries.py LABEL=PATH.db [LABEL=PATH.db ...]

Each query runs with the example parameters of its file in queries/ (ids from the real data,
which every multiplied copy keeps), with the same SQL functions the site registers; the figure is the
median of five runs, in milliseconds.
"""
import sqlite3
import statistics
import sys
import time

from datasette.utils import escape_fts

from pipeline import layout
from pipeline.edtf_dates import register_sql_functions
from pipeline.site import read_queries


def time_query(conn, sql, params, runs=5):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(sql, params).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(targets):
    queries = read_queries(layout.QUERIES, [])
    columns = {}
    for target in targets:
        label, path = target.split("=", 1)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.create_function("escape_fts", 1, escape_fts)
        register_sql_functions(conn)
        columns[label] = {name: time_query(conn, q.sql, q.parameters) for name, q in queries.items()}
    print("| query | " + " | ".join(f"{label} (ms)" for label in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in queries:
        print(f"| `{name}` | " + " | ".join(f"{columns[label][name]:.1f}" for label in columns) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
