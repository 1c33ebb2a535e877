"""The people, organizations, memberships, events and places as one Popolo JSON document
(https://www.popoloproject.com/specs/): `persons`, `organizations`, `memberships`, `events` and `areas`.

Each object keeps its id from this dataset, its other names (every name the build indexes for
reconciliation, pipeline/reconcile.py, but the object's own), a link to its page on the site and, as
`sources`, one link per citation: to the footnote the citing sentence carries, else to the compiled
text, with the locator in the note. Popolo dates are ISO 8601 reduced dates: an EDTF date becomes the
year, month or day it certainly falls within, and where it says more (1952?, 1953~, 195X) the EDTF
string is kept beside it as `<name>_edtf`.

Served at /-/popolo.json (site/plugins/exports.py); `popolo_document(db_path)` writes it for the release.
"""
import sqlite3
from pathlib import Path

from .edtf_dates import edtf_bounds
from .reconcile import NAME_TABLE


def rows(conn, sql, params=()):
    """Query results as dicts, whatever the connection's row factory."""
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def reduced_date(value):
    """The ISO 8601 reduced date (YYYY, YYYY-MM or YYYY-MM-DD) an EDTF date certainly falls within:
    1952-04-09 stays, 1952-04? gives 1952-04, 1952-04/1952-05 gives 1952, 195X gives None."""
    earliest, latest = edtf_bounds(value)
    if earliest is None:
        return None
    return next((earliest[:n] for n in (10, 7, 4) if earliest[:n] == latest[:n]), None)


def popolo_dates(pairs):
    """{popolo name: reduced date, and <name>_edtf: the EDTF string where it says more} for (name, EDTF value) pairs."""
    dates = {}
    for name, value in pairs:
        if not value:
            continue
        dates[name] = reduced_date(value)
        if dates[name] != value:
            dates[f"{name}_edtf"] = value
    return dates


def compact(record):
    return {key: value for key, value in record.items() if value not in (None, "", [])}


def citation_links(conn, page):
    """{(table, id): [Popolo link]} for every citation, in citation order."""
    links = {}
    for c in rows(conn, "select c.id, c.source_id, c.locator, c.footnote_id, c.stance, c.note, c.target_table, c.target_id, "
                        "f.printed from citations c left join footnotes f on f.id = c.footnote_id order by c.id"):
        url = page("footnotes", c["footnote_id"]) if c["footnote_id"] else page("sources", c["source_id"])
        claim = (f"contradicts: {c['note'] or 'another reading'}" if c["stance"] == "contradicts" else c["note"])
        note = " — ".join(part for part in (f"{c['source_id']}, {c['locator']}", c["printed"], claim) if part)
        links.setdefault((c["target_table"], c["target_id"]), []).append({"url": url, "note": note})
    return links


def popolo_from_connection(conn, database, base_url=""):
    """The Popolo document of the built database open on `conn`; page URLs start with `base_url`."""
    def page(table, key):
        return f"{base_url}/{database}/{table}/{key}"

    sources = citation_links(conn, page)
    other_names = {}
    for row in rows(conn, f"select id, name, field from [{NAME_TABLE}] where name != label order by rowid"):
        other_names.setdefault(row["id"], []).append({"name": row["name"], "note": row["field"]})

    def common(table, row):
        return {"id": row["id"], "name": row["name"], "other_names": other_names.get(row["id"]),
                "links": [{"url": page(table, row["id"]), "note": "page on this site"}],
                "sources": sources.get((table, row["id"]))}

    persons = [compact({**common("people", p), "summary": p["summary"],
                        **popolo_dates([("birth_date", p["birth_date"]), ("death_date", p["death_date"])])})
               for p in rows(conn, "select * from people order by id")]
    organizations = [compact({**common("organizations", o), "classification": o["classification"], "parent_id": o["parent_id"],
                              "description": o["summary"],
                              **popolo_dates([("founding_date", o["founding_date"]), ("dissolution_date", o["dissolution_date"])])})
                     for o in rows(conn, "select * from organizations order by id")]
    memberships = [compact({"id": m["id"], "person_id": m["person_id"], "organization_id": m["organization_id"], "role": m["role"],
                            **popolo_dates([("start_date", m["start_date"]), ("end_date", m["end_date"])]),
                            "sources": sources.get(("memberships", m["id"]))})
                   for m in rows(conn, "select * from memberships order by id")]
    events = [compact({**common("events", e), "classification": e["classification"], "description": e["summary"],
                       "location": e["place_name"],
                       **popolo_dates([("start_date", e["start_date"]), ("end_date", e["end_date"])])})
              for e in rows(conn, "select e.*, p.name as place_name from events e left join places p on p.id = e.place_id order by e.id")]
    areas = [compact({**common("places", p), "classification": p["classification"],
                      "geometry": {"type": "Point", "coordinates": [p["longitude"], p["latitude"]]}
                      if p["latitude"] is not None and p["longitude"] is not None else None})
             for p in rows(conn, "select * from places order by id")]
    return {"persons": persons, "organizations": organizations, "memberships": memberships, "events": events, "areas": areas}


def popolo_document(db_path, base_url=""):
    """The Popolo document of a built database file (opened read-only). Page and source URLs are
    `base_url` + the site's paths (/bolivian_trotskyism/people/guillermo-lora); give the address the
    site is served at for absolute URLs."""
    db_path = Path(db_path)
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return popolo_from_connection(conn, db_path.stem, base_url)
    finally:
        conn.close()
