"""The deployable bundle: written offline, complete, pinned and immutable."""
import json
import re
import subprocess
import sys
import tomllib

import yaml

from conftest import ROOT

REQUIRED_FILES = ["Dockerfile", "fly.toml", "bolivian_trotskyism.db", "metadata.json", "requirements.txt",
                  "build_db.py", "data/datapackage.json", "plugins/datapackage_metadata.py", "plugins/edtf_functions.py",
                  "plugins/row_profiles.py", "plugins/static_cache_headers.py", "templates/_profile.html"]


def test_bundle_is_complete_pinned_and_immutable(tmp_path):
    bundle = tmp_path / "bundle"
    result = subprocess.run([sys.executable, ROOT / "publish_bundle.py", bundle], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    for name in REQUIRED_FILES:
        assert (bundle / name).is_file(), name

    pinned = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    requirements = (bundle / "requirements.txt").read_text().split()
    assert requirements == pinned and all("==" in r for r in requirements)

    dockerfile = (bundle / "Dockerfile").read_text()
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "pip install -U" not in dockerfile
    command = dockerfile.split("\nCMD ", 1)[1]
    assert "-i bolivian_trotskyism.db" in command and "--inspect-file inspect-data.json" in command
    assert "datasette inspect bolivian_trotskyism.db --inspect-file inspect-data.json" in dockerfile
    settings = json.loads((ROOT / "settings.json").read_text())
    for name in settings:
        assert re.search(rf"--setting {name} \S+", command), name

    metadata = json.loads((bundle / "metadata.json").read_text())
    local = yaml.safe_load((ROOT / "metadata.yml").read_text())
    assert metadata["title"] == local["title"] and metadata["license"] == local["license"]
    assert metadata["databases"]["bolivian_trotskyism"]["queries"].keys() == local["databases"]["bolivian_trotskyism"]["queries"].keys()
    assert (bundle / "bolivian_trotskyism.db").read_bytes() == (ROOT / "bolivian_trotskyism.db").read_bytes()
