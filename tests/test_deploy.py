"""The deployable bundle: written offline, complete, pinned to the lock, and it serves the site
as the container does: Datasette under gunicorn, a worker per core, behind nginx's cache."""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from conftest import DATABASE, ROOT
from pipeline import layout
from pipeline.server import free_port, wait_until_up


def children(pid):
    """The ids of the processes whose parent is `pid`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def test_bundle_is_complete_pinned_to_the_lock_and_serves_every_description(tmp_path, site_db):
    bundle = tmp_path / "bundle"
    result = subprocess.run([sys.executable, ROOT / "deploy" / "make_bundle.py", bundle], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for name in ["Dockerfile", "fly.toml", layout.DATABASE_FILE, "metadata.json", "requirements.txt", "nginx.conf", "start.py",
                 "pipeline/front.py", "pipeline/edtf_dates.py", "pipeline/links.py", "templates/row.html", "site/site.css"] + \
            [f"plugins/{p.name}" for p in layout.PLUGINS.glob("*.py")]:
        assert (bundle / name).is_file(), name
    assert not (bundle / "build_db.py").exists() and not (bundle / "data").exists()

    locked = set((ROOT / "requirements.lock").read_text().split())
    requirements = (bundle / "requirements.txt").read_text().split()
    assert requirements and set(requirements) <= locked
    expected = {"datasette==0.65.5", "edtf==5.0.2", "Jinja2==3.1.6", "datasette-gunicorn==0.1.1", "gunicorn==27.0.1"}
    assert expected <= set(requirements)
    dockerfile = (bundle / "Dockerfile").read_text()
    assert "pip install --no-cache-dir --no-deps -r requirements.txt" in dockerfile
    assert "apt-get install -y --no-install-recommends nginx" in dockerfile

    command = json.loads(dockerfile.split("\nCMD ", 1)[1].strip())
    assert command[:4] == ["python", "start.py", "datasette", "gunicorn"]
    text = " ".join(command)
    assert f"-i {layout.DATABASE_FILE}" in text and "--inspect-file inspect-data.json" in text
    for name in json.loads(layout.SETTINGS.read_text()):
        assert re.search(rf"--setting {name} \S+", text), name
    assert "--host" not in command and "--port" not in command  # start.py puts Datasette on 127.0.0.1
    assert (bundle / layout.DATABASE_FILE).read_bytes() == site_db.read_bytes()

    # The bundle's own CMD, run here with the tested versions and Debian's nginx.
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "datasette"), "inspect", layout.DATABASE_FILE, "--inspect-file", "inspect-data.json"],
                   cwd=bundle, check=True)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="nginx-", dir="/tmp") as run_dir, tempfile.TemporaryFile("w+") as log:
        env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(bundle), "PORT": str(port),
               "UPSTREAM_PORT": str(free_port()), "NGINX_RUN_DIR": run_dir, "WEB_CONCURRENCY": "2"}
        process = subprocess.Popen([sys.executable, *command[1:]], cwd=bundle, env=env, stdout=log, stderr=subprocess.STDOUT)
        base, started = f"http://127.0.0.1:{port}", []
        try:
            wait_until_up(base, process, log, timeout=60)
            metadata = httpx.get(f"{base}/-/metadata.json").json()["databases"][DATABASE]["tables"]
            assert {"people", "events", "citations", "timeline", "disputed_facts"} <= metadata.keys()
            assert all(t.get("description") for t in metadata.values())
            founded = httpx.get(f"{base}/{DATABASE}.json", params={"sql": "select edtf_latest('195X') as d", "_shape": "array"}).json()
            assert founded == [{"d": "1959-12-31"}]
            first, again = (httpx.get(f"{base}/{DATABASE}/people/guillermo-lora") for _ in range(2))
            assert '<h1 class="reading-title">Guillermo Lora</h1>' in again.text
            assert (first.headers["x-cache-status"], again.headers["x-cache-status"]) == ("MISS", "HIT")
            assert httpx.get(f"{base}/site/site.css").status_code == 200
            started = children(process.pid)
            servers = [pid for pid in started if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()]
            assert len(started) == 2 and len(servers) == 1  # nginx and gunicorn
            assert len(children(servers[0])) == 2  # gunicorn's two workers
        finally:
            process.terminate()
            process.wait(timeout=30)
        assert process.returncode == 0, log.seek(0) or log.read()  # asked to stop: both stopped cleanly
        assert not [pid for pid in started if Path(f"/proc/{pid}").exists()]
