#!/usr/bin/env python3
"""Write a synthetic copy of data/ multiplied N times, foreign keys consistent.

usage: python bench/multiply_data.py FACTOR OUTPUT_DIR

Every table but the bibliography (sources, footnotes) is repeated FACTOR times; copy k>0
suffixes each slug id and every reference to it with -k<k>, and offsets integer ids, so
the result passes build_db.py's validation. Citations keep pointing at the real sources
and footnotes. For benchmarks only: the copies are not history.
"""
import csv
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNCHANGED = {"sources", "footnotes"}


def multiply(factor, output):
    package = json.loads((ROOT / "data" / "datapackage.json").read_text())
    output.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "data" / "datapackage.json", output / "datapackage.json")
    for resource in package["resources"]:
        name, schema = resource["name"], resource["schema"]
        source = ROOT / "data" / resource["path"]
        if name in UNCHANGED:
            shutil.copy2(source, output / resource["path"])
            continue
        with source.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        integer_id = next(fl for fl in schema["fields"] if fl["name"] == "id").get("type") == "integer"
        offset = max(int(r["id"]) for r in rows) if integer_id else 0
        multiplied_refs = {fk["fields"] for fk in schema["foreignKeys"] if fk["reference"]["resource"] not in UNCHANGED}
        with (output / resource["path"]).open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, rows[0].keys(), lineterminator="\n")
            writer.writeheader()
            for k in range(factor):
                for row in rows:
                    copy = dict(row)
                    if k:
                        copy["id"] = str(int(row["id"]) + k * offset) if integer_id else f"{row['id']}-k{k}"
                        for column in multiplied_refs:
                            if copy[column]:
                                copy[column] = f"{copy[column]}-k{k}"
                    writer.writerow(copy)


if __name__ == "__main__":
    multiply(int(sys.argv[1]), Path(sys.argv[2]))
