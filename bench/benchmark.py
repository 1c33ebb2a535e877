#!/usr/bin/env python3
"""Load-test the site as `make serve` runs it, on 127.0.0.1, with wrk; write docs/benchmarks.md.

usage: python bench/benchmark.py [--seconds 5] [--output docs/benchmarks.md]

Builds nothing: serves build/ (run `make build` first) on a free loopback port, drives each page kind people use at
concurrency 1, 8 and 32 (wrk, one thread per core, bounded by --seconds per run), requires
zero errors, and writes requests per second and p50/p95/p99 latency with the machine it ran
on. A benchmark, not a test: it asserts nothing about speed. Needs wrk (apt-get install wrk).
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

from pipeline import layout
from pipeline.server import running_site
from pipeline.site import read_queries

ROOT = layout.ROOT
DB = layout.DATABASE
# Table pages, then every canned query opened with the example of its file in queries/.
PAGES = {
    "home page": "/",
    "table HTML": f"/{DB}/events",
    "table JSON": f"/{DB}/people.json?_shape=array",
    "faceted table": f"/{DB}/memberships?_facet=role&_facet=organization_id",
    "search": f"/{DB}/people?_search=Lechin",
} | {name: query.example_path(DB).split("#")[0].replace(f"/{name}", f"/{name}.json", 1)
     for name, query in read_queries(layout.QUERIES, []).items()}
CONCURRENCY = (1, 8, 32)


def run_wrk(url, connections, seconds):
    threads = min(connections, os.cpu_count() or 1)
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-H", "Accept-Encoding: gzip", "-s", str(ROOT / "bench" / "report.lua"), url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    versions = subprocess.run([str(ROOT / ".venv" / "bin" / "datasette"), "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}, {versions}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    rows, failures = [], []
    with running_site() as base:
        for name, path in PAGES.items():
            url = f"{base}{path}"
            cells = []
            for connections in CONCURRENCY:
                result = run_wrk(url, connections, args.seconds)
                if result["errors"]:
                    failures.append(f"{name} at {connections}: {result['errors']} errors")
                cells.append(f"{result['rps']:.0f} | {result['p50']:.1f} / {result['p95']:.1f} / {result['p99']:.1f}")
                print(f"{name:30} c={connections:<3} {result}", flush=True)
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
    header = " | ".join(f"c={c} req/s | c={c} p50 / p95 / p99 ms" for c in CONCURRENCY)
    table = "\n".join([f"| page | {header} |", "|---|" + "---:|---:|" * len(CONCURRENCY), *rows])
    args.output.parent.mkdir(exist_ok=True)
    text = args.output.read_text() if args.output.exists() else ""
    marker_start, marker_end = "<!-- load:start -->", "<!-- load:end -->"
    block = (f"{marker_start}\nMachine: {machine()}. wrk, {args.seconds} s per cell, gzip accepted, "
             f"build/ served as `make serve` serves it. Errors: {len(failures)}.\n\n{table}\n{marker_end}")
    if marker_start in text:
        text = text.split(marker_start)[0] + block + text.split(marker_end, 1)[1]
    else:
        text += ("\n" if text else "") + block + "\n"
    args.output.write_text(text)
    if failures:
        sys.exit("errors: " + "; ".join(failures))


if __name__ == "__main__":
    main()
