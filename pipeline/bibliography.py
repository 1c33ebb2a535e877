"""The cited works (the `sources` table) as BibTeX (biblatex entry types) and CSL-JSON, one work or all:
served at /-/works.bib, /-/works.csl.json and /-/works/<id>.bib|.csl.json (site/plugins/exports.py).

Authors are kept as printed (a surname, "Lora G.", "Zavaleta Mercado"), so each is one literal name:
braced in BibTeX, `literal` in CSL-JSON. Bracketed titles are the dataset's descriptions of untitled works.
"""
import re
import sqlite3

from .popolo import reduced_date, rows

# classification: (BibTeX entry type, BibTeX field for container_title, CSL type, CSL variable for container_title)
ENTRY_TYPES = {
    "compiled_text": ("misc", "howpublished", "article", "container-title"),
    "book": ("book", "series", "book", "collection-title"),
    "book_volume": ("book", "series", "book", "collection-title"),
    "book_chapter": ("incollection", "booktitle", "chapter", "container-title"),
    "journal_article": ("article", "journal", "article-journal", "container-title"),
    "journal_issue": ("misc", "howpublished", "article-journal", "container-title"),
    "newspaper_article": ("article", "journal", "article-newspaper", "container-title"),
    "newspaper_issue": ("misc", "howpublished", "article-newspaper", "container-title"),
    "bulletin_article": ("article", "journal", "article-journal", "container-title"),
    "archival_document": ("misc", "howpublished", "manuscript", "archive"),
    "letter": ("misc", "howpublished", "personal_communication", "archive"),
    "interview": ("misc", "howpublished", "interview", "container-title"),
    "web_page": ("online", "organization", "webpage", "container-title"),
    "thesis": ("thesis", "institution", "thesis", "publisher"),
    "encyclopedia_article": ("inreference", "booktitle", "entry-encyclopedia", "container-title"),
}
BIBTEX_SPECIALS = re.compile(r"[\\{}%&#$_^~]")
BIBTEX_ESCAPES = {"\\": r"\textbackslash{}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def entry_type(work):
    """A compiled text published in a journal is cited as a journal article."""
    if work["classification"] == "compiled_text" and work["container_title"]:
        return ENTRY_TYPES["journal_article"]
    return ENTRY_TYPES[work["classification"]]


def read_works(conn, work_id=None):
    """The works (all, or the one with `work_id`) as dicts, in id order."""
    where = " where id = ?" if work_id is not None else ""
    return rows(conn, f"select * from sources{where} order by id", [work_id] if work_id is not None else [])


def _bibtex_value(text):
    return BIBTEX_SPECIALS.sub(lambda m: BIBTEX_ESCAPES.get(m.group(0), "\\" + m.group(0)), str(text))


def bibtex_entry(work):
    bibtex_type, container_field, _, _ = entry_type(work)
    date = reduced_date(work["year"])
    fields = [
        ("author", work["author"] and "{" + _bibtex_value(work["author"]) + "}"),  # one literal name, as printed
        ("title", "{" + _bibtex_value(work["title"]) + "}"),  # casing kept as printed
        (container_field, work["container_title"] and _bibtex_value(work["container_title"])),
        ("volume", work["volume"] and _bibtex_value(work["volume"])),
        ("number", work["issue"] and _bibtex_value(work["issue"])),
        ("year", date and date[:4]),
        ("date", work["year"] and _bibtex_value(work["year"])),
        ("language", work["language"]),
        ("url", work["url"]),  # a verbatim field: not escaped
        ("annotation", work["note"] and _bibtex_value(work["note"])),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@{bibtex_type}{{{work['id']},\n{body}\n}}\n"


def bibtex(works):
    return "\n".join(bibtex_entry(work) for work in works)


def csl_date(edtf_value):
    """CSL-JSON `issued`: the date parts the EDTF date certainly has, circa where it is uncertain or
    approximate, the EDTF string as a literal where it names no single year."""
    date = reduced_date(edtf_value)
    if date is None:
        return {"literal": edtf_value}
    issued = {"date-parts": [[int(part) for part in date.split("-")]]}
    if "?" in edtf_value or "~" in edtf_value or "%" in edtf_value:
        issued["circa"] = True
    return issued


def csl_item(work):
    _, _, csl_type, container_variable = entry_type(work)
    item = {
        "id": work["id"],
        "type": csl_type,
        "title": work["title"],
        "author": [{"literal": work["author"]}] if work["author"] else None,
        container_variable: work["container_title"],
        "volume": work["volume"],
        "issue": work["issue"],
        "issued": csl_date(work["year"]) if work["year"] else None,
        "language": work["language"],
        "URL": work["url"],
        "annote": work["note"],
    }
    return {key: value for key, value in item.items() if value}


def csl_json(works):
    return [csl_item(work) for work in works]


def works_from_file(db_path, work_id=None):
    """The works of a built database file (for the release)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return read_works(conn, work_id)
    finally:
        conn.close()
