"""Serving the built folder: the one command `make serve`, the tests and the benchmarks use.

    python -m pipeline.server [--port 8001] [--build DIR]
"""
import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from . import layout, publish
from .processes import stop, wait_until_up


# What Datasette serves from a configuration folder: every database file in it, writable unless it is
# the one inspect-data.json names.
DATABASE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def other_databases(build_dir):
    """Database files in the served folder that its inspect-data.json does not name (a build published
    beside other files, pipeline/publish.py): Datasette would serve them too, and writable."""
    folder = Path(build_dir).resolve()
    try:
        built = {entry["file"] for entry in json.loads((folder / "inspect-data.json").read_text()).values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        built = set()
    return sorted(p.name for p in folder.iterdir() if p.suffix in DATABASE_SUFFIXES and p.name not in built)


def refusal(build_dir):
    """Why the folder cannot be served, or None."""
    others = other_databases(build_dir)
    if others:
        return (f"{build_dir}: holds other databases ({', '.join(others[:5])}), which Datasette would serve too, "
                f"writable; build into a folder of its own (build_db.py --output DIR/{layout.DATABASE_FILE}) and serve that")
    return None


def serve_command(build_dir=layout.BUILD, port=8001, host="127.0.0.1"):
    """`datasette serve` in configuration-directory mode on the built folder (database opened immutable,
    because inspect-data.json is there; metadata.json and settings.json read from it), with the site's
    plugins and templates. The folder is the one build/ names now (resolved): a rebuild switches
    build/ but never what a running server reads."""
    datasette = Path(sys.executable).with_name("datasette")
    return [str(datasette) if datasette.exists() else shutil.which("datasette"), "serve", str(Path(build_dir).resolve()),
            "--plugins-dir", str(layout.PLUGINS), "--template-dir", str(layout.TEMPLATES), "--static", f"site:{layout.STATIC}",
            "--host", host, "--port", str(port)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_site(command=None, build_dir=layout.BUILD, cwd=layout.ROOT, env=None):
    """Start a server on a free port of 127.0.0.1, wait for it, yield its base URL, stop it.

    `command(port)` gives another server's command line (the benchmark's plain Datasette,
    the deploy bundle's CMD)."""
    if command is None and refusal(build_dir):
        raise ValueError(refusal(build_dir))
    port = free_port()
    argv = command(port) if command else serve_command(build_dir, port)
    with tempfile.TemporaryFile("w+") as log:
        held = publish.hold(Path(build_dir).resolve()) if command is None else None
        try:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                                       pass_fds=[held] if held is not None else [])
        finally:
            if held is not None:
                os.close(held)  # the server's inherited copy keeps the lock
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log)
            yield base
        finally:
            stop(process)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the built site.")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--build", type=Path, default=layout.BUILD)
    args = parser.parse_args(argv)
    if refusal(args.build):
        sys.exit(refusal(args.build))
    command = serve_command(args.build, args.port)
    held = publish.hold(Path(args.build).resolve())
    os.set_inheritable(held, True)  # the lock lives as long as the server exec'd here
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
