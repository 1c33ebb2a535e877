#!/usr/bin/env python3
"""Time every canned query on one or more built databases; print a Markdown table.

usage: python bench/time_queries.py LABEL=PATH.db [LABEL=PATH.db ...]

Each query runs with the example parameters of its file in queries/ (ids from the real data,
which every multiplied copy keeps), on a connection Datasette opens as the site does (the
database's built folder with its metadata, and the site's plugins, so every SQL function the
site registers is there, configured), and fetches what the server fetches for a
page: the first max_returned_rows + 1 rows (site/settings.json). The figure is the median of
five runs (one run if it takes over 2 s), in milliseconds, without Datasette's time limit; a
query SQLite refuses (a limit the site sets) is reported with its error.
"""
import asyncio
import json
import sqlite3
import statistics
import sys
import time
from pathlib import Path

from datasette.app import Datasette

from pipeline import layout
from pipeline.site import read_queries

RUNS = 5
SLOW_MS = 2000


def timings(queries, rows):
    def run(conn):
        result = {}
        for name, query in queries.items():
            measured = []
            try:
                for _ in range(RUNS):
                    started = time.perf_counter()
                    conn.execute(query.sql, query.parameters).fetchmany(rows)
                    measured.append((time.perf_counter() - started) * 1000)
                    if measured[0] > SLOW_MS:  # one run says enough, and five would take minutes
                        break
            except sqlite3.Error as error:  # as the site would answer: with an error, not rows
                result[name] = f"error: {error}"
                continue
            result[name] = statistics.median(measured)
        return result

    return run


async def time_database(path, queries, rows):
    datasette = Datasette(config_dir=Path(path).parent, plugins_dir=str(layout.PLUGINS))
    await datasette.invoke_startup()
    return await datasette.get_database(Path(path).stem).execute_fn(timings(queries, rows))


def query_times(targets, queries=None):
    """{label: {query: ms}} for each (label, database path)."""
    queries = queries or read_queries(layout.QUERIES, [])
    rows = json.loads(layout.SETTINGS.read_text())["max_returned_rows"] + 1
    return {label: asyncio.run(time_database(str(path), queries, rows)) for label, path in targets}


def cell(ms):
    return f"{ms:.1f}" if isinstance(ms, float) else ms


def markdown(times):
    labels = list(times)
    names = list(times[labels[0]])
    lines = ["| query | " + " | ".join(f"{label} (ms)" for label in labels) + " |", "|---|" + "---:|" * len(labels)]
    lines += [f"| `{name}` | " + " | ".join(cell(times[label][name]) for label in labels) + " |" for name in names]
    return "\n".join(lines)


def main(arguments):
    print(markdown(query_times([argument.split("=", 1) for argument in arguments])))


if __name__ == "__main__":
    main(sys.argv[1:])
