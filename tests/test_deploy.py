"""The deployable bundle: written offline, complete, pinned to the lock, and it serves the site."""
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx

from conftest import DATABASE, ROOT
from pipeline import layout
from pipeline.server import running_site


def test_bundle_is_complete_pinned_to_the_lock_and_serves_every_description(tmp_path, site_db):
    bundle = tmp_path / "bundle"
    result = subprocess.run([sys.executable, ROOT / "deploy" / "make_bundle.py", bundle], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for name in ["Dockerfile", "fly.toml", layout.DATABASE_FILE, "metadata.json", "requirements.txt",
                 "pipeline/edtf_dates.py", "pipeline/links.py", "templates/row.html", "site/site.css"] + [f"plugins/{p.name}" for p in layout.PLUGINS.glob("*.py")]:
        assert (bundle / name).is_file(), name
    assert not (bundle / "build_db.py").exists() and not (bundle / "data").exists()

    locked = set((ROOT / "requirements.lock").read_text().split())
    requirements = (bundle / "requirements.txt").read_text().split()
    assert requirements and set(requirements) <= locked
    assert {"datasette==0.65.5", "edtf==5.0.2", "Jinja2==3.1.6"} & set(requirements) == {"datasette==0.65.5", "edtf==5.0.2", "Jinja2==3.1.6"}
    dockerfile = (bundle / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --no-deps -r requirements.txt" in dockerfile

    command = dockerfile.split("\nCMD ", 1)[1].strip()
    assert f"-i {layout.DATABASE_FILE}" in command and "--inspect-file inspect-data.json" in command
    for name in json.loads(layout.SETTINGS.read_text()):
        assert re.search(rf"--setting {name} \S+", command), name
    assert (bundle / layout.DATABASE_FILE).read_bytes() == site_db.read_bytes()

    # The bundle's own CMD, run here with the tested versions: it serves every description.
    datasette = str(Path(sys.executable).with_name("datasette"))
    subprocess.run([datasette, "inspect", layout.DATABASE_FILE, "--inspect-file", "inspect-data.json"], cwd=bundle, check=True)
    argv = [datasette if a == "datasette" else a for a in shlex.split(command)]

    def bundle_command(port):
        return [a.replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1") for a in argv]

    with running_site(bundle_command, cwd=bundle, env={**os.environ, "PYTHONPATH": str(bundle)}) as base:
        metadata = httpx.get(f"{base}/-/metadata.json").json()["databases"][DATABASE]["tables"]
        assert {"people", "events", "citations", "timeline", "disputed_facts"} <= metadata.keys()
        assert all(t.get("description") for t in metadata.values())
        founded = httpx.get(f"{base}/{DATABASE}.json", params={"sql": "select edtf_latest('195X') as d", "_shape": "array"}).json()
        assert founded == [{"d": "1959-12-31"}]
        page = httpx.get(f"{base}/{DATABASE}/people/guillermo-lora").text
        assert "<h1 class=\"reading-title\">Guillermo Lora</h1>" in page
        assert httpx.get(f"{base}/site/site.css").status_code == 200
