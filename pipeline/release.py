"""Versioned releases: `make release` (python -m pipeline.release) writes

    dist/release/<name>-<version>.zip    the CSVs and datapackage.json, the SQLite database, the Popolo
                                         document, the network files (GEXF, GraphML), CITATION.cff,
                                         CHANGELOG.md and SHA256SUMS, in one folder <name>-<version>/
    releases/ids-<version>.json          every id of every table with a fingerprint of its row (committed:
                                         the next release is checked against it)
    CHANGELOG.md                         this version's entry: rows added, changed and removed per table

The version is data/datapackage.json's `version`; the date is CITATION.cff's `date-released` (whose
`version` must be the same). Nothing else goes in: no build time, fixed zip timestamps, sorted entries,
so the same inputs give the same bytes.

Ids are never reused or silently dropped: an id of the previous release that is gone from the data must
be listed in releases/replacements.csv (table, old_id, new_id, note; new_id empty for a row withdrawn,
the note saying why), or the release is refused with every such id named.
"""
import argparse
import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

import yaml

from . import layout
from .build import build
from .package import load_package
from .problems import InvalidData, Problem, report_refusal

RELEASES = layout.ROOT / "releases"
CHANGELOG = layout.ROOT / "CHANGELOG.md"
CITATION = layout.ROOT / "CITATION.cff"
DIST = layout.ROOT / "dist" / "release"
NETWORK_EXPORTS = layout.PLUGINS / "network_exports.py"
REPLACEMENT_COLUMNS = ["table", "old_id", "new_id", "note"]
IDS_FILE = re.compile(r"^ids-(\d+\.\d+\.\d+)\.json$")
CHANGELOG_HEADER = """# Changelog

Every release of the dataset, newest first. Each entry is written by `make release` (pipeline/release.py)
from the data and the previous release's ids (releases/ids-<version>.json): rows added, changed and removed
per table, and the ids replaced or withdrawn (releases/replacements.csv).
"""


def version_key(version):
    return tuple(int(part) for part in version.split("."))


# ---- what a release records: every id and a fingerprint of its row

def row_fingerprint(row):
    return hashlib.sha256(json.dumps(row, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def fingerprints(data_dir, package):
    """{table: {id: fingerprint of the row as the CSV holds it}}."""
    tables = {}
    for resource in package["resources"]:
        with (data_dir / resource["path"]).open(encoding="utf-8", newline="") as f:
            tables[resource["name"]] = {row["id"]: row_fingerprint(row) for row in csv.DictReader(f)}
    return tables


def ids_record(version, date, tables):
    return json.dumps({"version": version, "date": date, "tables": tables}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def recorded_releases(releases_dir):
    """{version: path} of every releases/ids-<version>.json."""
    found = {}
    for path in sorted(releases_dir.glob("ids-*.json")) if releases_dir.is_dir() else []:
        match = IDS_FILE.match(path.name)
        if match:
            found[match.group(1)] = path
    return found


def read_replacements(path):
    """[(line, {table, old_id, new_id, note})], or InvalidData naming the line."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != REPLACEMENT_COLUMNS:
            raise InvalidData([Problem(path, 1, "", f"expected the columns {','.join(REPLACEMENT_COLUMNS)}")])
        return [(number, row) for number, row in enumerate(reader, start=2)]


def id_problems(previous, current, replacements, previous_version, replacements_path, data_dir):
    """Every id of the previous release that has gone without a recorded replacement, every replacement
    pointing nowhere, and every replaced id used again."""
    problems = []
    recorded = {(row["table"], row["old_id"]): (line, row) for line, row in replacements}
    for line, row in replacements:
        if row["table"] not in current:
            problems.append(Problem(replacements_path, line, "table", f"{row['table']!r} is not a table of the data package"))
        elif row["new_id"] and row["new_id"] not in current[row["table"]]:
            problems.append(Problem(replacements_path, line, "new_id", f"{row['table']} has no row {row['new_id']!r}"))
        elif not row["new_id"] and not row["note"].strip():
            problems.append(Problem(replacements_path, line, "note", "a withdrawn id (no new_id) needs a note saying why"))
        elif row["old_id"] in current[row["table"]]:
            problems.append(Problem(replacements_path, line, "old_id",
                                    f"{row['table']} id {row['old_id']!r} was replaced and is in the data again; ids are never reused"))
    for table, ids in sorted(previous.items()):
        for key in sorted(set(ids) - set(current.get(table, {}))):
            if (table, key) not in recorded:
                problems.append(Problem(data_dir / f"{table}.csv", 0, "id",
                                        f"{table} id {key!r} of release {previous_version} has vanished without a recorded "
                                        f"replacement; restore the row, or add a line `{table},{key},<new id>,<why>` to "
                                        f"{replacements_path.name} (new id empty if the row is withdrawn)"))
    return problems


# ---- the change log

def table_changes(previous, current):
    """{table: (rows, added, changed, removed)}, tables in the package's order."""
    changes = {}
    for table, rows in current.items():
        before = previous.get(table, {})
        added = len(set(rows) - set(before))
        removed = len(set(before) - set(rows))
        changed = sum(1 for key in set(rows) & set(before) if rows[key] != before[key])
        changes[table] = (len(rows), added, changed, removed)
    for table in sorted(set(previous) - set(current)):
        changes[table] = (0, 0, 0, len(previous[table]))
    return changes


def changelog_entry(version, date, previous_version, changes, replaced):
    """Markdown for one release. `replaced`: [{table, old_id, new_id, note}] of the ids gone since the previous one."""
    lines = [f"## {version} — {date}", ""]
    lines.append(f"Compared with release {previous_version}." if previous_version else "The first recorded release: every row is new.")
    lines += ["", "| table | rows | added | changed | removed |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {table} | {rows} | {added} | {changed} | {removed} |" for table, (rows, added, changed, removed) in changes.items()]
    if replaced:
        lines += ["", "Ids gone since the previous release:", ""]
        lines += [f"- {r['table']} `{r['old_id']}` → " + (f"`{r['new_id']}`" if r["new_id"] else "withdrawn")
                  + (f": {r['note']}" if r["note"] else "") for r in replaced]
    return "\n".join(lines) + "\n"


def with_entry(changelog, version, entry):
    """The change log with this version's entry put in place of an earlier one for the same version, or on top."""
    text = changelog if changelog.strip() else CHANGELOG_HEADER
    sections = re.split(r"(?m)^(?=## )", text)
    head, entries = sections[0], sections[1:]
    entries = [e for e in entries if not e.startswith(f"## {version} ")]
    return head.rstrip("\n") + "\n\n" + "\n".join([entry] + [e.rstrip("\n") + "\n" for e in entries])


# ---- the archive's files

def citation_date(citation_path, version):
    try:
        citation = yaml.safe_load(citation_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise InvalidData([Problem(citation_path, 0, "", f"cannot read it: {error}")]) from None
    if str(citation.get("version")) != version:
        raise InvalidData([Problem(citation_path, 0, "version", f"{citation.get('version')!r} is not the data package's "
                                                                  f"version {version!r}; make them the same")])
    date = str(citation.get("date-released", ""))
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        raise InvalidData([Problem(citation_path, 0, "date-released", f"{date!r} is not a date such as 2026-01-31")])
    return date


def released_package(package, data_dir):
    """datapackage.json as released: the package with `sources`, the texts the data is compiled from (sources
    rows with compiled_from = 1)."""
    with (data_dir / "sources.csv").open(encoding="utf-8", newline="") as f:
        compiled = [row for row in csv.DictReader(f) if row["compiled_from"] == "1"]
    sources = [{"title": row["title"] + (f", {row['container_title']}" if row["container_title"] else "")
                + (f" no. {row['issue']}" if row["issue"] else "") + (f" ({row['year']})" if row["year"] else ""),
                **({"path": row["url"]} if row["url"] else {})} for row in compiled]
    return {**package, "sources": sources}


def load_network_exports():
    spec = importlib.util.spec_from_file_location("network_exports", NETWORK_EXPORTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def network_files(db_path, license, date):
    """{file name: bytes} of every network of site/plugins/network_exports.py in every format, as the site serves them.
    networkx stamps GEXF files with today's date; the release's date goes there instead."""
    exports = load_network_exports()
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    try:
        files = {}
        for name, network in exports.NETWORKS.items():
            nodes = [dict(r) for sql in network["nodes"] for r in connection.execute(sql)]
            edges = [dict(r) for r in connection.execute(network["edges"])]
            graph = exports.network_graph(name, nodes, edges, license)
            for file_format in exports.FORMATS:
                data = exports.serialized(graph, file_format)
                files[f"networks/{name}.{file_format}"] = re.sub(rb'lastmodifieddate="[^"]*"', f'lastmodifieddate="{date}"'.encode(), data)
        return files
    finally:
        connection.close()


def popolo_file(db_path):
    from .popolo import popolo_document

    return json.dumps(popolo_document(db_path), indent=1, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"


def checksums(files):
    return "".join(f"{hashlib.sha256(files[name]).hexdigest()}  {name}\n" for name in sorted(files)).encode("ascii")


def zip_bytes(folder, files, date):
    """A zip of the files under folder/, byte-identical for the same files: sorted, every entry dated `date`, mode 644."""
    buffer = io.BytesIO()
    stamp = tuple(int(part) for part in date.split("-")) + (0, 0, 0)
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)


# ---- the release

def make_release(data_dir=layout.DATA, out_dir=DIST, *, releases_dir=RELEASES, changelog=CHANGELOG, citation=CITATION,
                 queries_dir=layout.QUERIES, views_dir=layout.VIEWS, site_metadata=layout.SITE_METADATA, amend=False):
    """Check, then write the archive, the ids record and the change log; returns the archive's path.
    InvalidData (nothing written) when the data does not build, an id has vanished, or the version is reused."""
    package = load_package(data_dir / "datapackage.json")
    version = package["version"]
    date = citation_date(citation, version)
    current = fingerprints(data_dir, package)
    recorded = recorded_releases(releases_dir)
    replacements_path = releases_dir / "replacements.csv"
    replacements = read_replacements(replacements_path)
    earlier = sorted((v for v in recorded if version_key(v) < version_key(version)), key=version_key)
    previous_version = earlier[-1] if earlier else None
    previous = json.loads(recorded[previous_version].read_text(encoding="utf-8"))["tables"] if previous_version else {}
    problems = id_problems(previous, current, replacements, previous_version, replacements_path, data_dir)
    if version in recorded and not amend:
        same = json.loads(recorded[version].read_text(encoding="utf-8"))
        if same["tables"] != current or same["date"] != date:
            problems.append(Problem(data_dir / "datapackage.json", 0, "version",
                                    f"release {version} is recorded in {recorded[version]} with other data; give the data a new "
                                    f"version (or pass --amend to rewrite a release not yet published)"))
    later = [v for v in recorded if version_key(v) > version_key(version)]
    if later:
        problems.append(Problem(data_dir / "datapackage.json", 0, "version",
                                f"{version} is older than the recorded release {max(later, key=version_key)}"))
    if problems:
        raise InvalidData(problems)

    with tempfile.TemporaryDirectory() as scratch:
        db_path = Path(scratch) / "build" / layout.DATABASE_FILE  # the build publishes its folder as a whole
        build(data_dir, db_path, queries_dir=queries_dir, views_dir=views_dir, site_metadata=site_metadata)
        files = {resource["path"]: (data_dir / resource["path"]).read_bytes() for resource in package["resources"]}
        files["datapackage.json"] = (json.dumps(released_package(package, data_dir), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        files[layout.DATABASE_FILE] = db_path.read_bytes()
        files["popolo.json"] = popolo_file(db_path)
        files.update(network_files(db_path, package["licenses"][0]["name"], date))
    replaced = [r for _, r in replacements
                if r["old_id"] in previous.get(r["table"], {}) and r["old_id"] not in current.get(r["table"], {})]
    entry = changelog_entry(version, date, previous_version, table_changes(previous, current), replaced)
    changelog_text = with_entry(changelog.read_text(encoding="utf-8") if changelog.exists() else "", version, entry)
    files["CITATION.cff"] = citation.read_bytes()
    files["CHANGELOG.md"] = changelog_text.encode("utf-8")
    files["SHA256SUMS"] = checksums(files)

    folder = f"{package['name']}-{version}"
    archive = out_dir / f"{folder}.zip"
    write_atomically(archive, zip_bytes(folder, files, date))
    write_atomically(releases_dir / f"ids-{version}.json", ids_record(version, date, current).encode("utf-8"))
    write_atomically(changelog, changelog_text.encode("utf-8"))
    return archive


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write the versioned release archive, its ids record and its change log entry.")
    parser.add_argument("--data", type=Path, default=layout.DATA)
    parser.add_argument("--output", type=Path, default=DIST, help="folder the archive is written to")
    parser.add_argument("--releases", type=Path, default=RELEASES, help="folder of ids-<version>.json and replacements.csv")
    parser.add_argument("--changelog", type=Path, default=CHANGELOG)
    parser.add_argument("--amend", action="store_true", help="rewrite the record of this version (a release not yet published)")
    args = parser.parse_args(argv)
    try:
        archive = make_release(args.data, args.output, releases_dir=args.releases, changelog=args.changelog, amend=args.amend)
    except InvalidData as error:
        return report_refusal(error, "release refused", "nothing written")
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    print(f"wrote {archive} ({archive.stat().st_size} bytes, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
