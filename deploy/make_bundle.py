#!/usr/bin/env python3
"""Write a complete deployable bundle of the site, offline: `python publish_bundle.py [DIR]`.

It runs `datasette publish fly --generate-dir` (Dockerfile and fly.toml) on the built
database with metadata.yml, plugins/, templates/ and every setting of settings.json, then
pins the runtime to the versions in pyproject.toml and adds what the plugins read
(build_db.py and data/datapackage.json). The same folder runs anywhere a container runs
(`docker build` / `docker run`, Cloud Run, Fly) and its contents deploy to Vercel or any
Python host with `datasette serve` and the CMD line of its Dockerfile.
"""
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import build_db

HERE = Path(__file__).resolve().parent
DATABASE_FILE = "bolivian_trotskyism.db"


def runtime_requirements():
    return tomllib.loads((HERE / "pyproject.toml").read_text())["project"]["dependencies"]


def setting_options():
    options = []
    for name, value in json.loads((HERE / "settings.json").read_text()).items():
        options += ["--setting", name, json.dumps(value) if isinstance(value, bool) else str(value)]
    return options


def publish(database, bundle):
    """`datasette publish fly --generate-dir`: Dockerfile, fly.toml, the database, metadata, plugins, templates."""
    datasette = Path(sys.executable).with_name("datasette")
    subprocess.run(
        [str(datasette), "publish", "fly", str(database), "--app", "bolivian-trotskyism", "--generate-dir", str(bundle),
         "--metadata", str(HERE / "metadata.yml"), "--plugins-dir", str(HERE / "plugins"),
         "--template-dir", str(HERE / "templates"), *setting_options()],
        check=True,
    )


def generate(bundle):
    if bundle.exists():
        shutil.rmtree(bundle)
    # Built apart from the checkout's copy, which a running `make serve` may be serving.
    with tempfile.TemporaryDirectory() as scratch:
        database = Path(scratch) / DATABASE_FILE
        build_db.build(HERE / "data", database)
        publish(database, bundle)
    (bundle / "requirements.txt").write_text("\n".join(runtime_requirements()) + "\n")
    dockerfile = (bundle / "Dockerfile").read_text()
    dockerfile = re.sub(r"^RUN pip install -U .*$", "RUN pip install --no-cache-dir -r requirements.txt", dockerfile, flags=re.M)
    (bundle / "Dockerfile").write_text(dockerfile)
    shutil.copy2(HERE / "build_db.py", bundle / "build_db.py")
    (bundle / "data").mkdir()
    shutil.copy2(HERE / "data" / "datapackage.json", bundle / "data" / "datapackage.json")
    for cache in bundle.rglob("__pycache__"):
        shutil.rmtree(cache)
    return bundle


if __name__ == "__main__":
    target = generate(Path(sys.argv[1] if len(sys.argv) > 1 else HERE / "dist" / "bundle").resolve())
    print(f"wrote {target}: " + ", ".join(sorted(p.name for p in target.iterdir())))
