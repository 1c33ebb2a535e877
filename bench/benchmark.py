#!/usr/bin/env python3
"""Measure the site on this machine and write the figures into docs/benchmarks.md: `make benchmark`.

usage: python bench/benchmark.py [--seconds 2] [--skip-scale] [--side-by-side-only REGEX] [--output FILE]

Everything runs here, on 127.0.0.1, with Debian's wrk and nginx, on builds in a scratch folder:

1. Side by side, no cache: every page kind on this site (`datasette gunicorn`, one worker, as
   the deploy bundle runs it behind nginx) and on plain Datasette 0.65.5 as its own install
   runs it (the same database file, inspect file and settings; no metadata, templates or
   plugins but one registering the SQL functions the canned queries call; uvicorn without
   httptools or uvloop), in four adjacent pairs per page (plain then site, site then plain, …;
   the ratio is the median of the pairs'), 8 connections, gzip accepted. A canned query is compared with plain Datasette running the same SQL with the same
   parameters. A few pages also on plain Datasette with the site's httptools and uvloop.
2. Processes: the site under gunicorn (`datasette gunicorn`, as the deploy bundle runs it) with
   1 and 2 worker processes.
3. The cache: deploy/nginx.conf in front of the 2-worker site, for repeated page views (hits)
   and for URLs never asked before (misses), against the same site without nginx.
4. Memory: the peak resident memory of each server, all its processes, under that load.
5. The build and every canned query at 1x, 100x and 1000x the data (bench/multiply_data.py,
   bench/time_queries.py); --skip-scale leaves that section as it was.

Each section replaces the block between its markers in the output; the prose around them is
kept. A benchmark, not a test: it asserts nothing about speed, and reports every error.
"""
import argparse
import contextlib
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from datasette.utils import tilde_encode

from pipeline import layout
from pipeline.build import build
from pipeline.front import running_front
from pipeline.server import free_port, serve_command, stop, wait_until_up
from pipeline.site import read_queries

ROOT = layout.ROOT
DB = layout.DATABASE
SIDE_BY_SIDE_CONNECTIONS = 8
# Each page kind is measured in this many adjacent pairs (plain then site, site then plain, …), and its ratio
# is the median of the pairs' ratios: one pair caught by other work on the machine does not decide it.
SIDE_BY_SIDE_PAIRS = 4
PROCESS_CONNECTIONS = 16
CACHED_CONNECTIONS = 64
MISS_CONNECTIONS = 4  # deploy/nginx.conf lets one client have 8 misses in flight
# Pages also measured on plain Datasette with the site's HTTP parser and event loop, to show what they account for.
PLAIN_ON_SITE_STACK = "plain on the site's stack"
ATTRIBUTED = ("home page", "table HTML (events)", "table JSON", "arbitrary SQL, JSON", "row page: people",
              "query: person_profile")
SCALES = (100, 1000)


# --- servers ---------------------------------------------------------------------------------

@contextlib.contextmanager
def started(command, env=None):
    """Start `command(port)` on a free port; yield (base URL, process)."""
    port = free_port()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command(port), cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log,
                                   stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log, timeout=60)
            yield base, process
        finally:
            stop(process, timeout=20)


def site_command(build_dir, workers=None):
    """The site as `make serve` runs it (one process), or under gunicorn as the bundle runs it."""
    def command(port):
        argv = serve_command(build_dir, port)
        if workers:
            argv[1] = "gunicorn"
            argv += ["--workers", str(workers)]
        return argv
    return command


def plain_command(build_dir, server_stack="default"):
    """Plain Datasette 0.65.5 as `pip install datasette==0.65.5` runs it: installed plugins not loaded
    (Datasette skips them when sys._called_from_test is set), only bench/plain_plugins (the SQL
    functions), and uvicorn's pure-Python HTTP parser and asyncio's event loop, because its
    install brings neither httptools nor uvloop. server_stack="site": with both, as this site has."""
    settings = json.loads((build_dir / "settings.json").read_text())
    start = ["import sys", "sys._called_from_test = True"]
    if server_stack == "default":
        start += ["import uvicorn", "run = uvicorn.run",
                  "uvicorn.run = lambda app, **options: run(app, **{**options, 'http': 'h11', 'loop': 'asyncio'})"]
    start += ["from datasette.cli import cli", "cli()"]

    def command(port):
        argv = [sys.executable, "-c", "; ".join(start),
                "serve", "-i", str(build_dir / layout.DATABASE_FILE), "--inspect-file", str(build_dir / "inspect-data.json"),
                "--plugins-dir", str(ROOT / "bench" / "plain_plugins"), "--host", "127.0.0.1", "--port", str(port)]
        for name, value in settings.items():
            argv += ["--setting", name, json.dumps(value) if isinstance(value, bool) else str(value)]
        return argv
    return command


def plain_env(build_dir):
    metadata = json.loads((build_dir / "metadata.json").read_text())
    return {"BENCH_NAME_FIELDS": json.dumps(metadata["plugins"].get("search-terms", {}).get("name_fields", {}))}


def tree(pid):
    """`pid` and every process below it."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            parents.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(int(stat.parent.name))
    found, pending = [], [pid]
    while pending:
        found.append(pending.pop())
        pending += parents.get(found[-1], [])
    return found


def resident_bytes(pids):
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, StopIteration):
            line = next(l for l in Path(f"/proc/{pid}/status").read_text().splitlines() if l.startswith("VmRSS:"))
            total += int(line.split()[1]) * 1024
    return total


class PeakMemory:
    """The highest resident memory of some process trees, sampled while the block runs."""

    def __init__(self, *pids):
        self.pids, self.peak, self.running = pids, 0, False

    def sample(self):
        while self.running:
            self.peak = max(self.peak, resident_bytes([p for pid in self.pids for p in tree(pid)]))
            time.sleep(0.25)

    def __enter__(self):
        self.running = True
        self.thread = threading.Thread(target=self.sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()


# --- measuring -------------------------------------------------------------------------------

def wrk(url, connections, seconds, script="report.lua"):
    threads = min(connections, os.cpu_count() or 1)
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-H", "Accept-Encoding: gzip",
         "-s", str(ROOT / "bench" / script), url],
        capture_output=True, text=True, check=True, timeout=seconds + 60, cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def combined(results):
    requests, seconds = sum(r["requests"] for r in results), sum(r["seconds"] for r in results)
    return {"rps": requests / seconds, "p50": statistics.mean(r["p50"] for r in results),
            "p99": max(r["p99"] for r in results), "errors": sum(r["errors"] for r in results)}


def status(url):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def page_kinds(queries):
    """(label, path on this site, path on plain Datasette) for every kind of page."""
    sql = "select start_date, name, classification from events where start_year = 1952 order by start_date_earliest"
    pages = [
        ("home page", "/", "/"),
        ("database page", f"/{DB}", f"/{DB}"),
        ("table HTML (events)", f"/{DB}/events", f"/{DB}/events"),
        ("table with facets", f"/{DB}/memberships?_facet=role&_facet=organization_id",
         f"/{DB}/memberships?_facet=role&_facet=organization_id"),
        ("table search", f"/{DB}/people?_search=Lechin", f"/{DB}/people?_search=Lechin"),
        ("table JSON", f"/{DB}/events.json", f"/{DB}/events.json"),
        ("table CSV", f"/{DB}/events.csv", f"/{DB}/events.csv"),
        ("arbitrary SQL, HTML", f"/{DB}?sql=" + urllib.parse.quote(sql), f"/{DB}?sql=" + urllib.parse.quote(sql)),
        ("arbitrary SQL, JSON", f"/{DB}.json?sql=" + urllib.parse.quote(sql), f"/{DB}.json?sql=" + urllib.parse.quote(sql)),
    ]
    for name, query in queries.items():
        if query.header.get("page"):
            key = next(iter(query.parameters.values()))
            path = f"/{DB}/{query.header['page']}/{tilde_encode(str(key))}"
            pages.append((f"row page: {query.header['page']}", path, path))
    for name, query in queries.items():
        site = query.example_path(DB).split("#")[0]
        plain = f"/{DB}?" + urllib.parse.urlencode({"sql": query.sql, **query.parameters})
        pages.append((f"query: {name}", site, plain))
    return pages


def side_by_side(build_dir, seconds, only=None):
    """Each page kind on plain Datasette and on this site (gunicorn, 1 worker, as the bundle runs it
    behind nginx), interleaved; for ATTRIBUTED pages also plain Datasette on the site's server stack."""
    pages = [page for page in page_kinds(read_queries(layout.QUERIES, [])) if not only or re.search(only, page[0])]
    rows = []
    with started(plain_command(build_dir), plain_env(build_dir)) as (plain, plain_process), \
            started(plain_command(build_dir, "site"), plain_env(build_dir)) as (plain_fast, _), \
            started(site_command(build_dir, workers=1)) as (site, site_process):
        bases = {"plain": plain, PLAIN_ON_SITE_STACK: plain_fast, "site": site}
        for _, site_path, plain_path in pages:  # warm all: the first request of a page fills caches
            status(plain + plain_path), status(plain_fast + plain_path), status(site + site_path)
        with PeakMemory(plain_process.pid) as plain_memory, PeakMemory(site_process.pid) as site_memory:
            for label, site_path, plain_path in pages:
                codes = (status(plain + plain_path), status(site + site_path))
                runs, pair_ratios = {}, []
                for pair in range(SIDE_BY_SIDE_PAIRS):
                    order = ["plain", "site"] if pair % 2 == 0 else ["site", "plain"]
                    if label in ATTRIBUTED:
                        order.insert(1, PLAIN_ON_SITE_STACK)
                    measured = {}
                    for server in order:
                        url = bases[server] + (site_path if server == "site" else plain_path)
                        measured[server] = wrk(url, SIDE_BY_SIDE_CONNECTIONS, seconds)
                        runs.setdefault(server, []).append(measured[server])
                    pair_ratios.append(measured["site"]["rps"] / measured["plain"]["rps"])
                result = {server: combined(r) for server, r in runs.items()}
                result["ratio"] = statistics.median(pair_ratios)
                result["ratio_range"] = (min(pair_ratios), max(pair_ratios))
                rows.append((label, codes, result))
                print(f"{label:40} plain {result['plain']['rps']:8.0f}  site {result['site']['rps']:8.0f}  "
                      f"x{result['ratio']:.2f} ({result['ratio_range'][0]:.2f}-{result['ratio_range'][1]:.2f})  {codes}",
                      flush=True)
        memory = {"plain Datasette": plain_memory.peak, "this site (1 worker, with gunicorn's master)": site_memory.peak}
    return rows, memory


def processes(build_dir, seconds):
    pages = [("home page", "/"), ("table HTML (events)", f"/{DB}/events"), ("row page: people", f"/{DB}/people/guillermo-lora"),
             ("query: person_profile", f"/{DB}/person_profile?person=guillermo-lora"),
             ("arbitrary SQL, JSON", f"/{DB}.json?sql=select+count(*)+from+citations")]
    results = {}
    for workers in (1, 2):
        with started(site_command(build_dir, workers)) as (base, _):
            for label, path in pages:
                wrk(base + path, PROCESS_CONNECTIONS, 1)  # warms every worker: one request would reach only one
                results[(label, workers)] = wrk(base + path, PROCESS_CONNECTIONS, seconds)
                print(f"{label:40} {workers} worker(s) {results[(label, workers)]['rps']:8.0f}", flush=True)
    return pages, results


def cached(build_dir, seconds):
    pages = [("home page", "/"), ("table HTML (events)", f"/{DB}/events"), ("row page: people", f"/{DB}/people/guillermo-lora"),
             ("query: most_cited_works", f"/{DB}/most_cited_works"), ("table JSON", f"/{DB}/events.json")]
    hits, misses = {}, {}
    with started(site_command(build_dir, 2)) as (direct, server_process), \
            running_front(direct, free_port(), MISS_RATE="100000r/s") as (front, run_dir):
        nginx_pid = int((run_dir / "nginx.pid").read_text())
        with PeakMemory(server_process.pid, nginx_pid) as memory:
            for label, path in pages:
                status(front + path)
                hits[label] = wrk(front + path, CACHED_CONNECTIONS, seconds)
                print(f"cached {label:33} {hits[label]['rps']:8.0f} {hits[label]}", flush=True)
            for label, path in pages[1:3]:
                misses[label] = {"direct": wrk(direct + path, MISS_CONNECTIONS, seconds, "unique.lua"),
                                 "nginx": wrk(front + path, MISS_CONNECTIONS, seconds, "unique.lua")}
                print(f"misses {label:33} {misses[label]}", flush=True)
    return pages, hits, misses, memory.peak


def scale(scratch):
    """Build 100x and 1000x copies of the data; time the builds and every query at each scale."""
    from time_queries import query_times

    builds, targets = {}, [("1x", scratch / "1x" / layout.DATABASE_FILE)]
    for factor in SCALES:
        data = scratch / f"data{factor}"
        subprocess.run([sys.executable, str(ROOT / "bench" / "multiply_data.py"), str(factor), str(data)], check=True)
        output = scratch / f"{factor}x" / layout.DATABASE_FILE
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started_at = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "build_db.py"), "--data", str(data), "--output", str(output)], check=True)
        wall = time.perf_counter() - started_at
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        counts = json.loads((output.parent / "inspect-data.json").read_text())[DB]["tables"]
        builds[factor] = {"wall": wall, "cpu": cpu, "peak": after.ru_maxrss * 1024, "counts": counts}
        shutil.rmtree(data)
        targets.append((f"{factor}x", output))
        print(f"built {factor}x in {wall:.1f} s ({cpu:.1f} s CPU)", flush=True)
    return builds, query_times(targets)


# --- writing ---------------------------------------------------------------------------------

def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    nginx = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    return (f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB RAM, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}, Datasette 0.65.5, nginx {nginx}, wrk {wrk_version}")


def mib(n):
    return f"{n / 1024 / 1024:.0f} MiB"


def replace_block(text, name, block):
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    body = f"{start}\n{block.strip()}\n{end}"
    if start in text:
        return text.split(start)[0] + body + text.split(end, 1)[1]
    return text + ("\n" if text else "") + body + "\n"


def side_by_side_block(rows, memory):
    lines = ["| page | plain Datasette req/s | this site req/s | ratio | ratio in each pair | plain p50 ms | site p50 ms |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for label, codes, result in rows:
        plain, site = result["plain"], result["site"]
        note = "" if codes == (200, 200) and not plain["errors"] and not site["errors"] else \
            f" (status {codes[0]}/{codes[1]}, errors {plain['errors']}/{site['errors']})"
        low, high = result["ratio_range"]
        lines.append(f"| {label}{note} | {plain['rps']:.0f} | {site['rps']:.0f} | {result['ratio']:.2f} | {low:.2f}–{high:.2f} | "
                     f"{plain['p50']:.1f} | {site['p50']:.1f} |")
    ratios = [r["ratio"] for _, _, r in rows]
    lines += ["", f"Lowest ratio {min(ratios):.2f}, median {statistics.median(ratios):.2f}, over {len(rows)} page kinds. "
              "Peak memory under this load: " + ", ".join(f"{k} {mib(v)}" for k, v in memory.items()) + "."]
    lines += ["", "What the server stack accounts for: the same pages on plain Datasette with httptools and uvloop "
              "(as this site has), measured in the same rounds:", "",
              "| page | plain req/s | plain on the site's stack req/s | this site req/s |", "|---|---:|---:|---:|"]
    for label, _, result in rows:
        if PLAIN_ON_SITE_STACK in result:
            lines.append(f"| {label} | {result['plain']['rps']:.0f} | {result[PLAIN_ON_SITE_STACK]['rps']:.0f} | "
                         f"{result['site']['rps']:.0f} |")
    return "\n".join(lines)


def processes_block(pages, results):
    lines = ["| page | 1 process req/s | 2 processes req/s | gain |", "|---|---:|---:|---:|"]
    for label, _ in pages:
        one, two = results[(label, 1)]["rps"], results[(label, 2)]["rps"]
        lines.append(f"| {label} | {one:.0f} | {two:.0f} | {two / one:.2f} |")
    return "\n".join(lines)


def cache_block(pages, hits, misses, memory):
    lines = [f"Repeated views through nginx ({CACHED_CONNECTIONS} connections, 2 wrk threads; every answer a cache hit):", "",
             "| page | req/s | p50 ms | p99 ms | errors |", "|---|---:|---:|---:|---:|"]
    for label, _ in pages:
        r = hits[label]
        lines.append(f"| {label} | {r['rps']:.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['errors']} |")
    lines += ["", f"Misses: a URL never asked before each time ({MISS_CONNECTIONS} connections), straight to the 2-worker site and through nginx:",
              "", "| page | direct req/s | through nginx req/s | direct p50 ms | through nginx p50 ms |", "|---|---:|---:|---:|---:|"]
    for label, r in misses.items():
        lines.append(f"| {label} | {r['direct']['rps']:.0f} | {r['nginx']['rps']:.0f} | {r['direct']['p50']:.1f} | {r['nginx']['p50']:.1f} |")
    lines += ["", f"Peak memory of nginx and the 2-worker site together under this load: {mib(memory)}."]
    return "\n".join(lines)


def cell(ms):
    return f"{ms:.1f}" if isinstance(ms, float) else ms


def scale_block(builds, times):
    lines = ["| scale | events / memberships / participants / citations | build (s) | build CPU (s) | peak memory |", "|---|---|---:|---:|---:|"]
    for factor, b in builds.items():
        c = b["counts"]
        rows = " / ".join(f"{c[t]['count']:,}" for t in ("events", "memberships", "event_participants", "citations"))
        lines.append(f"| {factor}x | {rows} | {b['wall']:.1f} | {b['cpu']:.1f} | {mib(b['peak'])} |")
    labels = list(times)
    lines += ["", "| query | " + " | ".join(f"{label} (ms)" for label in labels) + " |", "|---|" + "---:|" * len(labels)]
    for name in times[labels[0]]:
        cells = [cell(times[label][name]) for label in labels]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    largest = {name: ms for name, ms in times[labels[-1]].items() if isinstance(ms, float)}
    over = sorted(name for name, ms in largest.items() if ms >= 100)
    lines += ["", f"At {labels[-1]}: {len(largest) - len(over)} of {len(times[labels[-1]])} queries under 100 ms"
              + (f"; over it: {', '.join(f'`{n}` ({largest[n]:.0f} ms)' for n in over)}" if over else "")
              + "".join(f"; `{n}`: {e}" for n, e in times[labels[-1]].items() if not isinstance(e, float)) + "."]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=2, help="length of each wrk run")
    parser.add_argument("--skip-scale", action="store_true", help="leave the 100x/1000x section as it was")
    parser.add_argument("--side-by-side-only", metavar="REGEX", help="measure only the side-by-side pages matching REGEX "
                        "and print them (for profiling); writes nothing")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    args = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is not installed: apt-get install {tool} (`make benchmark` does)")
    sys.path.insert(0, str(ROOT / "bench"))
    load_before = os.getloadavg()
    text = args.output.read_text() if args.output.exists() else "# Benchmarks\n"
    with tempfile.TemporaryDirectory(prefix="benchmark-") as scratch:
        scratch = Path(scratch)
        build(output=scratch / "1x" / layout.DATABASE_FILE)
        build_dir = scratch / "1x"
        rows, memory = side_by_side(build_dir, args.seconds, args.side_by_side_only)
        if args.side_by_side_only:
            print(side_by_side_block(rows, memory))
            return
        process_pages, process_results = processes(build_dir, args.seconds + 1)
        cache_pages, hits, misses, cache_memory = cached(build_dir, args.seconds + 2)
        if not args.skip_scale:
            builds, times = scale(scratch)
    load_after = os.getloadavg()
    quiet = max(load_before[0], load_after[0]) < 1.0
    text = replace_block(text, "machine", (
        f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d %H:%M %Z')}; load average {load_before[0]:.2f} before and "
        f"{load_after[0]:.2f} after" + ("." if quiet else " — **other work was running on the machine**: compare within a "
                                         "table (its rows were measured interleaved), not across runs.")))
    text = replace_block(text, "side-by-side", side_by_side_block(rows, memory))
    text = replace_block(text, "processes", processes_block(process_pages, process_results))
    text = replace_block(text, "cache", cache_block(cache_pages, hits, misses, cache_memory))
    if not args.skip_scale:
        text = replace_block(text, "scale", scale_block(builds, times))
    args.output.write_text(text)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
