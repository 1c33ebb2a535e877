"""Serving the built folder: the one command `make serve`, the tests and the benchmarks use.

    python -m pipeline.server [--port 8001] [--build DIR]
"""
import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from . import layout, publish
from .processes import stop, wait_until_up


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
    command = serve_command(args.build, args.port)
    held = publish.hold(Path(args.build).resolve())
    os.set_inheritable(held, True)  # the lock lives as long as the server exec'd here
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
