"""Versioned releases (pipeline/release.py): the archive rebuilds byte-identical, holds everything it
promises, refuses a vanished id, and its change log counts what changed; CITATION.cff validates."""
import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, Site, read_rows
from pipeline import layout, release
from pipeline.package import load_package
from pipeline.problems import InvalidData

CFFCONVERT = ROOT / ".venv" / "cffconvert" / "bin" / "cffconvert"


def make(tmp_path, data_dir=layout.DATA, name="out", **kwargs):
    """A release written only into tmp_path (its own releases/ and CHANGELOG.md)."""
    kwargs.setdefault("releases_dir", tmp_path / "releases")
    kwargs.setdefault("changelog", tmp_path / "CHANGELOG.md")
    return release.make_release(data_dir, tmp_path / name, **kwargs)


def record_baseline(releases_dir, version="0.1.0", data_dir=layout.DATA):
    """releases/ids-<version>.json as if `version` had been released from data_dir."""
    releases_dir.mkdir(parents=True, exist_ok=True)
    tables = release.fingerprints(data_dir, load_package(data_dir / "datapackage.json"))
    (releases_dir / f"ids-{version}.json").write_text(release.ids_record(version, "2026-01-01", tables), encoding="utf-8")


def archive_files(path):
    with zipfile.ZipFile(path) as archive:
        return {info.filename.split("/", 1)[1]: archive.read(info) for info in archive.infolist()}


def changelog_table(text, version):
    """{table: (rows, added, changed, removed)} of the version's entry."""
    entry = text.split(f"## {version} ", 1)[1].split("\n## ", 1)[0]
    rows = [line.strip("|").split("|") for line in entry.splitlines() if line.startswith("| ") and not line.startswith("| table")]
    return {cells[0].strip(): tuple(int(c) for c in cells[1:]) for cells in rows}


@pytest.fixture(scope="module")
def first_release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release")
    return make(folder, name="first"), folder


def test_rebuilding_gives_identical_bytes(first_release):
    archive, folder = first_release
    again = make(folder, name="second")  # the ids record and change log of the first are now inputs too
    assert again.name == archive.name
    assert again.read_bytes() == archive.read_bytes()


def test_archive_holds_the_data_database_exports_and_checksums(first_release):
    archive, _ = first_release
    package = load_package(layout.PACKAGE)
    assert archive.name == f"{package['name']}-{package['version']}.zip"
    files = archive_files(archive)
    for resource in package["resources"]:
        assert files[resource["path"]] == (layout.DATA / resource["path"]).read_bytes()
    released = json.loads(files["datapackage.json"])
    assert released["version"] == package["version"] and released["licenses"] == package["licenses"]
    assert released["contributors"] == package["contributors"]
    compiled = [row["title"] for row in read_rows("sources") if row["compiled_from"] == "1"]
    assert len(released["sources"]) == len(compiled)
    assert all(source["title"].startswith(title) for source, title in zip(released["sources"], compiled))
    assert files[layout.DATABASE_FILE][:15] == b"SQLite format 3"
    popolo = json.loads(files["popolo.json"])
    assert {p["id"] for p in popolo["persons"]} == {row["id"] for row in read_rows("people")}
    assert {o["id"] for o in popolo["organizations"]} == {row["id"] for row in read_rows("organizations")}
    assert any(name.endswith(".gexf") for name in files) and any(name.endswith(".graphml") for name in files)
    assert files["CITATION.cff"] == (ROOT / "CITATION.cff").read_bytes()
    assert f"## {package['version']} " in files["CHANGELOG.md"].decode()
    sums = dict(reversed(line.split("  ", 1)) for line in files["SHA256SUMS"].decode().splitlines())
    assert set(sums) == set(files) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name


def removable_citation(data_dir):
    """A citation whose target has other citations, so the data stays valid without it."""
    rows = read_rows("citations", data_dir)
    targets = [tuple(row[c] for c in ("event_id", "membership_id", "person_id", "organization_id", "relation_id",
                                      "participant_id", "place_id")) for row in rows]
    return next(row for row, target in zip(rows, targets) if targets.count(target) > 1)


def without_row(data_dir, table, key):
    path = data_dir / f"{table}.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(f"{key},")]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")


def test_a_vanished_id_is_refused_with_its_name(data_copy, tmp_path, capsys):
    record_baseline(tmp_path / "releases")
    gone = removable_citation(data_copy)["id"]
    without_row(data_copy, "citations", gone)
    with pytest.raises(InvalidData) as refused:
        make(tmp_path, data_copy)
    [problem] = refused.value.problems
    assert f"citations id '{gone}' of release 0.1.0 has vanished without a recorded replacement" in str(problem)
    assert str(problem).startswith(str(data_copy / "citations.csv"))
    assert not (tmp_path / "out").exists() and not (tmp_path / "CHANGELOG.md").exists()
    assert not (tmp_path / "releases" / "ids-0.2.0.json").exists()
    # the command line says the same, without a traceback
    assert release.main(["--data", str(data_copy), "--output", str(tmp_path / "out"), "--releases", str(tmp_path / "releases"),
                         "--changelog", str(tmp_path / "CHANGELOG.md")]) == 1
    err = capsys.readouterr().err
    assert f"'{gone}' of release 0.1.0 has vanished" in err and "Traceback" not in err


def test_a_replaced_id_must_not_come_back(tmp_path):
    record_baseline(tmp_path / "releases")
    person = read_rows("people")[0]["id"]
    (tmp_path / "releases" / "replacements.csv").write_text(
        f"table,old_id,new_id,note\npeople,{person},{read_rows('people')[1]['id']},merged\n", encoding="utf-8")
    with pytest.raises(InvalidData) as refused:
        make(tmp_path)
    assert f"people id '{person}' was replaced and is in the data again; ids are never reused" in str(refused.value.problems)


def test_changelog_counts_rows_added_changed_and_removed(data_copy, tmp_path):
    record_baseline(tmp_path / "releases")
    people = read_rows("people", data_copy)
    edited = people[0]["id"]
    people[0]["summary"] += " Edited."
    with (data_copy / "people.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(people[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(people)
    place = dict(read_rows("places", data_copy)[0], id="a-new-test-place", name="A new test place")
    with (data_copy / "places.csv").open("a", encoding="utf-8", newline="") as f:
        csv.DictWriter(f, fieldnames=list(place), lineterminator="\n").writerow(place)
    gone = removable_citation(data_copy)["id"]
    without_row(data_copy, "citations", gone)
    (tmp_path / "releases" / "replacements.csv").write_text(
        f"table,old_id,new_id,note\ncitations,{gone},,a duplicate of another citation\n", encoding="utf-8")

    archive = make(tmp_path, data_copy)
    text = (tmp_path / "CHANGELOG.md").read_text(encoding="utf-8")
    assert archive_files(archive)["CHANGELOG.md"].decode() == text
    counts = changelog_table(text, "0.2.0")
    expected_changes = {"people": (0, 1, 0), "places": (1, 0, 0), "citations": (0, 0, 1)}
    for resource in load_package(data_copy / "datapackage.json")["resources"]:
        table = resource["name"]
        assert counts[table] == (len(read_rows(table, data_copy)), *expected_changes.get(table, (0, 0, 0))), table
    assert "Compared with release 0.1.0." in text
    assert f"- citations `{gone}` → withdrawn: a duplicate of another citation" in text
    assert edited  # the person whose row changed


def test_the_same_version_with_other_data_is_refused(data_copy, tmp_path):
    record_baseline(tmp_path / "releases", version="0.2.0")
    without_row(data_copy, "citations", removable_citation(data_copy)["id"])
    with pytest.raises(InvalidData) as refused:
        make(tmp_path, data_copy)
    assert any("release 0.2.0 is recorded in" in str(p) and "with other data" in str(p) for p in refused.value.problems)


def test_citation_version_must_be_the_package_version(tmp_path):
    citation = tmp_path / "CITATION.cff"
    citation.write_text(re.sub(r"(?m)^version: ", "version: 9", (ROOT / "CITATION.cff").read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(InvalidData) as refused:
        make(tmp_path, citation=citation)
    assert "is not the data package's version" in str(refused.value.problems[0])


def test_current_data_keeps_every_released_id():
    package = load_package(layout.PACKAGE)
    recorded = release.recorded_releases(release.RELEASES)
    assert recorded, "no release recorded in releases/"
    current = release.fingerprints(layout.DATA, package)
    replacements = release.read_replacements(release.RELEASES / "replacements.csv")
    for version, path in recorded.items():
        previous = json.loads(path.read_text(encoding="utf-8"))["tables"]
        problems = release.id_problems(previous, current, replacements, version, release.RELEASES / "replacements.csv", layout.DATA)
        assert not problems, [str(p) for p in problems]


def cffconvert(path):
    assert CFFCONVERT.exists(), f"{CFFCONVERT} is missing: `make test` installs it (requirements-cffconvert.lock)"
    return subprocess.run([CFFCONVERT, "--validate", "-i", path], capture_output=True, text=True)


def test_citation_cff_validates_with_the_reference_validator(tmp_path):
    result = cffconvert(ROOT / "CITATION.cff")
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    broken = tmp_path / "CITATION.cff"
    broken.write_text((ROOT / "CITATION.cff").read_text(encoding="utf-8").replace("cff-version:", "cff-version-typo:"), encoding="utf-8")
    assert cffconvert(broken).returncode != 0


def test_the_site_serves_the_release_and_lists_it(first_release, built, tmp_path):
    archive, _ = first_release
    served = tmp_path / "served"
    shutil.copytree(built, served)
    metadata = json.loads((served / "metadata.json").read_text(encoding="utf-8"))
    metadata["plugins"]["schema-org"]["release_folder"] = str(archive.parent)
    (served / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    site = Site(served)
    try:
        response = site.get(f"/-/release/{archive.name}")
        assert response.status_code == 200
        assert response.content == archive.read_bytes()
        home = site.get("/").text
        assert f'"contentUrl": "http://localhost/-/release/{archive.name}"' in home
        assert site.get("/-/release/other.zip").status_code == 404
    finally:
        site.loop.close()


def test_released_package_validates_with_frictionless(first_release, tmp_path):
    archive, _ = first_release
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(tmp_path)
    [folder] = tmp_path.iterdir()
    result = subprocess.run([Path(sys.executable).with_name("frictionless"), "validate", "--json", "datapackage.json"],
                            capture_output=True, text=True, cwd=folder)
    report = json.loads(result.stdout)
    assert report["valid"], [e["message"] for task in report["tasks"] for e in task["errors"]][:5]
    assert len(report["tasks"]) == len(load_package(layout.PACKAGE)["resources"])


@pytest.mark.parametrize("change, message", [
    (lambda p: p.update(version="second"), "version: 'second' is not a release version such as 1.2.0"),
    (lambda p: p.pop("contributors"), "contributors: expected a list of objects, each with a title"),
])
def test_package_without_a_version_or_contributors_is_refused(data_copy, tmp_path, change, message):
    path = data_copy / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    change(package)
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InvalidData) as refused:
        make(tmp_path, data_copy)
    assert any(message in str(p) for p in refused.value.problems)
    assert not (tmp_path / "out").exists()
