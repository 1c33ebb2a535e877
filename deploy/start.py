#!/usr/bin/env python3
"""The container's entrypoint: Datasette on 127.0.0.1, nginx with its cache in front on $PORT.

    python start.py datasette gunicorn -i bolivian_trotskyism.db … (the Dockerfile's CMD)

The command is the Datasette server to run; this adds where it listens (127.0.0.1:$UPSTREAM_PORT,
8001 by default) and, for `datasette gunicorn`, one worker process per core ($WEB_CONCURRENCY
overrides). nginx runs with nginx.conf beside this file, filled in by pipeline/front.py
($CACHE_SIZE, $MISS_RATE and $NGINX_RUN_DIR override its defaults). If either process
exits, the other is stopped and the container exits with that status, so the platform restarts it.
"""
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from pipeline.front import nginx_command, write_config

HERE = Path(__file__).resolve().parent


def server_command(command, upstream_port):
    command = [*command, "--host", "127.0.0.1", "--port", str(upstream_port)]
    if command[:2] == ["datasette", "gunicorn"]:
        command += ["--workers", os.environ.get("WEB_CONCURRENCY") or str(len(os.sched_getaffinity(0)))]
    return command


def wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=2)
            return True
        except OSError:
            time.sleep(0.2)
    return False


def main(command):
    port = os.environ.get("PORT", "8080")
    upstream_port = os.environ.get("UPSTREAM_PORT", "8001")
    run_dir = Path(os.environ.get("NGINX_RUN_DIR", "/tmp/nginx"))
    settings = {name: os.environ[name] for name in ("CACHE_SIZE", "MISS_RATE") if os.environ.get(name)}
    conf = write_config(run_dir, port, f"127.0.0.1:{upstream_port}", HERE / "nginx.conf", **settings)
    server = subprocess.Popen(server_command(command, upstream_port))
    if not wait_until_up(f"http://127.0.0.1:{upstream_port}/-/versions.json", server):
        server.terminate()
        sys.exit(f"the Datasette server did not start: {' '.join(command)}")
    front = subprocess.Popen(nginx_command(conf))
    processes = [server, front]
    asked_to_stop = []

    def stop(signum=None, frame=None):
        if signum is not None:
            asked_to_stop.append(signum)
        for process in processes:
            if process.poll() is None:
                # SIGQUIT: nginx finishes the requests it has; SIGTERM: gunicorn does the same.
                process.send_signal(signal.SIGQUIT if process is front else signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not asked_to_stop and all(process.poll() is None for process in processes):
        time.sleep(0.5)
    first_exit = next((process.returncode for process in processes if process.returncode is not None), 0)
    stop()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
    sys.exit(0 if asked_to_stop else (first_exit or 1))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
