"""The caching front end: deploy/nginx.conf filled in, and nginx started with it.

The container's entrypoint (deploy/start.py), tests/test_cache.py and bench/benchmark.py all
run nginx through `nginx_config` and `running_front`, so what is tested and measured is the
configuration that ships.
"""
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from .processes import stop, wait_until_up

# Not pipeline.layout: this module also runs in the deploy bundle, which has no data/ folder.
NGINX_CONF = Path(__file__).resolve().parent.parent / "deploy" / "nginx.conf"
DEFAULTS = {"CACHE_SIZE": "512m", "MISS_RATE": "20r/s"}


def nginx_config(port, upstream, run_dir, template=NGINX_CONF, **settings):
    """The config with its @TOKENS@ filled in; `settings` may give CACHE_SIZE and MISS_RATE."""
    values = {**DEFAULTS, **settings, "PORT": str(port), "UPSTREAM": upstream, "RUN_DIR": str(run_dir)}
    text = Path(template).read_text()
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
    if left:
        raise ValueError(f"{template}: no value for {', '.join(left)}")
    return text


def nginx_binary():
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if not found:
        raise RuntimeError("nginx is not installed (Debian: apt-get install nginx; `make test` installs it)")
    return found


def write_config(run_dir, port, upstream, template=NGINX_CONF, **settings):
    """Write nginx.conf into `run_dir` (made readable to nginx's workers); return its path."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    run_dir.chmod(0o755)  # nginx's workers may run as another user when the master is root
    conf = run_dir / "nginx.conf"
    conf.write_text(nginx_config(port, upstream, run_dir, template, **settings))
    return conf


def nginx_command(conf):
    # -e: errors to stderr from the start (the default log file may not be writable); -p: no
    # relative path in the config resolves outside the run folder.
    return [nginx_binary(), "-e", "stderr", "-p", str(Path(conf).parent), "-c", str(conf)]


@contextlib.contextmanager
def running_front(upstream_base, port, run_dir=None, **settings):
    """nginx with the shipped config on 127.0.0.1:`port` in front of `upstream_base`
    (http://127.0.0.1:PORT); yields (base URL, run folder)."""
    upstream = upstream_base.split("://", 1)[1].rstrip("/")
    with contextlib.ExitStack() as stack:
        if run_dir is None:
            # Under /tmp (world-traversable) so that nginx's workers can reach it when run by root.
            run_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="nginx-", dir="/tmp"))
        conf = write_config(run_dir, f"127.0.0.1:{port}", upstream, **settings)
        log = stack.enter_context(tempfile.TemporaryFile("w+"))
        process = subprocess.Popen(nginx_command(conf), stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base, process, log, timeout=15, name="nginx")
            yield base, Path(run_dir)
        finally:
            stop(process)
