#!/usr/bin/env python3
"""Time every canned query's SQL on one or more built databases; print a Markdown table.

usage: python bench/time_queries.py LABEL=PATH.db [LABEL=PATH.db ...]

Each query runs with the sample parameters below (ids from the real data, which every
multiplied copy keeps), with the same SQL functions the site registers; the figure is the
median of five runs, in milliseconds.
"""
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import yaml
from datasette.utils import escape_fts

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
from edtf_functions import prepare_connection  # noqa: E402

SAMPLE_PARAMETERS = {
    "timeline": {"from_year": "1952", "to_year": "1953", "classification": ""},
    "person_profile": {"person": "guillermo-lora"},
    "organization_history": {"organization": "por"},
    "organization_lineage": {"organization": "por"},
    "members_on_date": {"organization": "por", "date": "1953"},
    "shared_organizations": {"person": "edwin-moller"},
    "members_of_both": {"first": "por", "second": "mnr"},
    "search_everything": {"q": "Lechin"},
}


def time_query(conn, sql, params, runs=5):
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(sql, params).fetchall()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(targets):
    queries = yaml.safe_load((ROOT / "metadata.yml").read_text())["databases"]["bolivian_trotskyism"]["queries"]
    columns = {}
    for target in targets:
        label, path = target.split("=", 1)
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        conn.create_function("escape_fts", 1, escape_fts)
        prepare_connection(conn)
        columns[label] = {name: time_query(conn, q["sql"], SAMPLE_PARAMETERS.get(name, {})) for name, q in queries.items()}
    print("| query | " + " | ".join(f"{label} (ms)" for label in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    for name in queries:
        print(f"| `{name}` | " + " | ".join(f"{columns[label][name]:.1f}" for label in columns) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
