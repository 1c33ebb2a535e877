#!/usr/bin/env python3
"""Load-test the site as `make serve` runs it, on 127.0.0.1, with wrk; write docs/benchmarks.md.

usage: python bench/benchmark.py [--seconds 5] [--output docs/benchmarks.md]

Starts `datasette serve .` on a free loopback port, drives each page kind people use at
concurrency 1, 8 and 32 (wrk, one thread per core, bounded by --seconds per run), requires
zero errors, and writes requests per second and p50/p95/p99 latency with the machine it ran
on. A benchmark, not a test: it asserts nothing about speed. Needs wrk (apt-get install wrk).
"""
import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DB = "bolivian_trotskyism"
PAGES = {
    "home page": "/",
    "table HTML": f"/{DB}/events",
    "table JSON": f"/{DB}/people.json?_shape=array",
    "faceted table": f"/{DB}/memberships?_facet=role&_facet=organization_id",
    "search": f"/{DB}/people?_search=Lechin",
    "search_everything": f"/{DB}/search_everything.json?q={quote('Лечин')}",
    "timeline": f"/{DB}/timeline.json?from_year=1952&to_year=1953&classification=",
    "person_profile": f"/{DB}/person_profile.json?person=guillermo-lora",
    "organization_history": f"/{DB}/organization_history.json?organization=por",
    "organization_lineage": f"/{DB}/organization_lineage.json?organization=por",
    "members_on_date": f"/{DB}/members_on_date.json?organization=por&date=1953",
    "shared_organizations": f"/{DB}/shared_organizations.json?person=edwin-moller",
    "members_of_both": f"/{DB}/members_of_both.json?first=por&second=mnr",
    "splits_and_mergers": f"/{DB}/splits_and_mergers.json",
    "disputed_facts": f"/{DB}/disputed_facts.json",
    "footnote_support": f"/{DB}/footnote_support.json",
    "most_cited_works": f"/{DB}/most_cited_works.json",
    "events_per_year": f"/{DB}/events_per_year.json",
    "memberships_by_organization": f"/{DB}/memberships_by_organization.json",
    "citations_per_work": f"/{DB}/citations_per_work.json",
    "timeline_by_classification": f"/{DB}/timeline_by_classification.json",
    "events_map": f"/{DB}/events_map.json",
}
CONCURRENCY = (1, 8, 32)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port):
    datasette = ROOT / ".venv" / "bin" / "datasette"
    process = subprocess.Popen([str(datasette), "serve", ".", "--host", "127.0.0.1", "--port", str(port)],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    sys.exit("the server did not start")


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
    port = free_port()
    server = start_server(port)
    rows, failures = [], []
    try:
        for name, path in PAGES.items():
            url = f"http://127.0.0.1:{port}{path}"
            cells = []
            for connections in CONCURRENCY:
                result = run_wrk(url, connections, args.seconds)
                if result["errors"]:
                    failures.append(f"{name} at {connections}: {result['errors']} errors")
                cells.append(f"{result['rps']:.0f} | {result['p50']:.1f} / {result['p95']:.1f} / {result['p99']:.1f}")
                print(f"{name:30} c={connections:<3} {result}", flush=True)
            rows.append(f"| {name} | " + " | ".join(cells) + " |")
    finally:
        server.terminate()
        server.wait()
    header = " | ".join(f"c={c} req/s | c={c} p50 / p95 / p99 ms" for c in CONCURRENCY)
    table = "\n".join([f"| page | {header} |", "|---|" + "---:|---:|" * len(CONCURRENCY), *rows])
    args.output.parent.mkdir(exist_ok=True)
    text = args.output.read_text() if args.output.exists() else ""
    marker_start, marker_end = "<!-- load:start -->", "<!-- load:end -->"
    block = (f"{marker_start}\nMachine: {machine()}. wrk, {args.seconds} s per cell, gzip accepted, "
             f"`datasette serve .` as `make serve` runs it. Errors: {len(failures)}.\n\n{table}\n{marker_end}")
    if marker_start in text:
        text = text.split(marker_start)[0] + block + text.split(marker_end, 1)[1]
    else:
        text += ("\n" if text else "") + block + "\n"
    args.output.write_text(text)
    if failures:
        sys.exit("errors: " + "; ".join(failures))


if __name__ == "__main__":
    main()
