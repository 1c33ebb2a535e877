#!/usr/bin/env python3
"""Write a complete deployable bundle of the site, offline: `python deploy/make_bundle.py [DIR]`.

It builds the site in a scratch folder, runs `datasette publish fly --generate-dir`
(Dockerfile and fly.toml) on that database with the generated metadata.json, the site's
plugins and templates and every setting, then pins the runtime to the exact versions of
requirements.lock that the tests ran on, and adds the one module the plugins import
(pipeline/edtf_dates.py, pipeline/links.py). The folder runs anywhere a container runs (`docker build`,
Cloud Run, Fly) and its contents deploy to any Python host with the CMD of its Dockerfile.
"""
import json
import re
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

RUNTIME_MODULES = ["pipeline/__init__.py", "pipeline/edtf_dates.py", "pipeline/links.py"]


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


def generate(bundle):
    if bundle.exists():
        shutil.rmtree(bundle)
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / layout.DATABASE_FILE
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
    (bundle / "Dockerfile").write_text(dockerfile)
    for module in RUNTIME_MODULES:
        (bundle / module).parent.mkdir(exist_ok=True)
        shutil.copy2(layout.ROOT / module, bundle / module)
    for cache in bundle.rglob("__pycache__"):
        shutil.rmtree(cache)
    return bundle


if __name__ == "__main__":
    target = generate(Path(sys.argv[1] if len(sys.argv) > 1 else layout.ROOT / "dist" / "bundle").resolve())
    print(f"wrote {target}: " + ", ".join(sorted(p.name for p in target.iterdir())))
