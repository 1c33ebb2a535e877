#!/usr/bin/env python3
"""Write a complete deployable bundle of the site, offline: `python deploy/make_bundle.py [DIR]`.

It builds the site in a scratch folder, runs `datasette publish fly --generate-dir`
(Dockerfile and fly.toml) on that database with the generated metadata.json, the site's
plugins and templates and every setting, then pins the runtime to the exact versions of
requirements.lock that the tests ran on, and adds the modules the plugins import
(pipeline/edtf_dates.py, pipeline/links.py…). The container serves through start.py: Datasette
under gunicorn, one worker process per core, on 127.0.0.1, and nginx with the cache of
nginx.conf in front on $PORT. The folder runs anywhere a container runs (`docker build`,
Cloud Run, Fly) and its contents deploy to any Python host with the CMD of its Dockerfile.
"""
import json
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import tomllib
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipeline import layout
from pipeline.build import build

# The caching front end and the entrypoint that starts it beside Datasette (see start.py).
FRONT_END = ["deploy/nginx.conf", "deploy/start.py", "pipeline/front.py", "pipeline/processes.py"]
BASE_IMAGE = "python:3.11-slim-bookworm"  # Debian 12: the nginx (1.22) the tests run
# Pinned by digest, so a rebuild gets the image reviewed, not whatever the tag names that day;
# refresh it with `docker buildx imagetools inspect python:3.11-slim-bookworm` (docs/security.md).
BASE_IMAGE_DIGEST = "sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b"
RUNTIME_USER = 10001  # no home, no shell, cannot write /app

RUNTIME_MODULES = ["pipeline/__init__.py", "pipeline/edtf_dates.py", "pipeline/links.py", "pipeline/search_terms.py",
                   "pipeline/problems.py", "pipeline/reconcile.py", "pipeline/popolo.py", "pipeline/bibliography.py"]


def locked_versions():
    pins = [line.split("==") for line in (layout.ROOT / "requirements.lock").read_text().split() if "==" in line]
    return {canonicalize_name(name): (name, version) for name, version in pins}


def runtime_requirements():
    """The locked pins of the runtime dependencies and everything they need, as installed for the tests."""
    locked = locked_versions()
    wanted = [Requirement(r).name for r in tomllib.loads((layout.ROOT / "pyproject.toml").read_text())["project"]["dependencies"]]
    seen = set()
    while wanted:
        name = canonicalize_name(wanted.pop())
        if name in seen:
            continue
        seen.add(name)
        for requirement in distribution(name).requires or []:
            requirement = Requirement(requirement)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                wanted.append(requirement.name)
    # pip and setuptools come with the image's Python, as they did with the test venv's.
    return sorted(f"{locked[name][0]}=={locked[name][1]}" for name in seen - {"pip", "setuptools"})


def setting_options(settings):
    options = []
    for name, value in settings.items():
        options += ["--setting", name, json.dumps(value) if isinstance(value, bool) else str(value)]
    return options


def with_front_end(dockerfile):
    """The Dockerfile serving through start.py: `datasette gunicorn` with the arguments `datasette publish`
    gave `datasette serve` (start.py adds the address and the workers), nginx in front on $PORT."""
    command = re.search(r"^CMD (.*)$", dockerfile, flags=re.M)
    serve = shlex.split(command.group(1))
    assert serve[:2] == ["datasette", "serve"], command.group(0)
    arguments, rest = [], iter(serve[2:])
    for argument in rest:
        if argument in ("--host", "--port"):
            next(rest)
        else:
            arguments.append(argument)
    dockerfile = dockerfile.replace(command.group(0), "CMD " + json.dumps(["python", "start.py", "datasette", "gunicorn", *arguments]))
    return re.sub(r"^FROM \S+$", f"FROM {BASE_IMAGE}@{BASE_IMAGE_DIGEST}\n"
                  "RUN apt-get update && apt-get install -y --no-install-recommends nginx && rm -rf /var/lib/apt/lists/*",
                  dockerfile, count=1, flags=re.M)


def hardened(dockerfile):
    """No secret baked into the image (`datasette publish` writes one: set DATASETTE_SECRET as a
    runtime secret of the platform if signed cookies must survive a restart) and the servers run
    as an unprivileged user; everything before CMD still runs as root at build time."""
    dockerfile = re.sub(r"^ENV DATASETTE_SECRET .*\n", "", dockerfile, flags=re.M)
    return re.sub(r"^(CMD .*)$", f"RUN useradd --system --uid {RUNTIME_USER} --no-create-home --shell /usr/sbin/nologin datasette\n"
                  f"USER {RUNTIME_USER}\n\\1", dockerfile, count=1, flags=re.M)


def generate(bundle):
    if bundle.exists():
        shutil.rmtree(bundle)
    with tempfile.TemporaryDirectory() as scratch:
        # A folder of its own: the build publishes by switching a symlink to the output's folder.
        database = Path(scratch) / "build" / layout.DATABASE_FILE
        build(output=database)
        settings = json.loads((database.parent / "settings.json").read_text())
        datasette = Path(sys.executable).with_name("datasette")
        subprocess.run(
            [str(datasette), "publish", "fly", str(database), "--app", "bolivian-trotskyism", "--generate-dir", str(bundle),
             "--metadata", str(database.parent / "metadata.json"), "--plugins-dir", str(layout.PLUGINS),
             "--template-dir", str(layout.TEMPLATES), "--static", f"site:{layout.STATIC}", *setting_options(settings)],
            check=True,
        )
    (bundle / "requirements.txt").write_text("\n".join(runtime_requirements()) + "\n")
    dockerfile = (bundle / "Dockerfile").read_text()
    dockerfile = re.sub(r"^RUN pip install -U .*$", "RUN pip install --no-cache-dir --no-deps -r requirements.txt\n"
                        "ENV PYTHONPATH=/app", dockerfile, flags=re.M)
    (bundle / "Dockerfile").write_text(hardened(with_front_end(dockerfile)))
    # nginx answers cached pages itself: Fly's 20-25 connections per machine would queue requests it can serve.
    fly = (bundle / "fly.toml").read_text()
    fly = re.sub(r"soft_limit = \d+", "soft_limit = 500", re.sub(r"hard_limit = \d+", "hard_limit = 1000", fly))
    (bundle / "fly.toml").write_text(fly)
    for path in FRONT_END:
        (bundle / path.removeprefix("deploy/")).parent.mkdir(exist_ok=True)
        shutil.copy2(layout.ROOT / path, bundle / path.removeprefix("deploy/"))
    for module in RUNTIME_MODULES:
        (bundle / module).parent.mkdir(exist_ok=True)
        shutil.copy2(layout.ROOT / module, bundle / module)
    for cache in bundle.rglob("__pycache__"):
        shutil.rmtree(cache)
    return bundle


if __name__ == "__main__":
    target = generate(Path(sys.argv[1] if len(sys.argv) > 1 else layout.ROOT / "dist" / "bundle").resolve())
    print(f"wrote {target}: " + ", ".join(sorted(p.name for p in target.iterdir())))
