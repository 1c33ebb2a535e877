"""What a search box's words mean to SQLite full-text search, for every search on the site.

Each word matches itself or any word starting with its stem, so a singular finds the plural and back
("Thesis" and "Theses" both search thes*, "Masa" finds "Masas", "Лечин" finds "Лечина"); a record with
the word itself scores higher than one with only a longer word ("СОВ" ranks the COB above "Совет").
A "quoted phrase" is searched as typed. Accents are folded by the tables' tokenizer.
"""
import re
import sqlite3

from .reconcile import NAME_TABLE, fold

WORDS = re.compile(r'"([^"]*)"?|(\S+)')
# English and Spanish plural and singular endings, longest first; a stem keeps at least four letters.
ENDINGS = ("es", "is", "s")
MIN_STEM = 4


def stem(word):
    lower = word.lower()
    for ending in ENDINGS:
        if lower.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def fts_query(text):
    """The FTS5 MATCH expression for `text`: every term must match."""
    terms = []
    for phrase, word in WORDS.findall(text or ""):
        if phrase.strip():
            terms.append(f'"{phrase}"')
        elif any(c.isalnum() for c in word):
            word = word.replace('"', "")
            terms.append(f'("{word}" OR "{stem(word)}"*)')
    # An explicit AND: FTS5 joins bare phrases implicitly, but not parenthesised groups.
    # Words with nothing to search ("*", "-") give the empty phrase, which matches no row.
    return " AND ".join(terms) or '""'


MAX_NAME = 200  # longer than any name in the data; a longer "name" is not looked up
# The first row (in the table's order) with a folded name in one field: a seek in the (key, resource, field) index.
EXACT_NAME_SQL = f"select rowid, id from [{NAME_TABLE}] where key = ? and resource = ? and field = ? order by rowid limit 1"


def exact_name_id(conn, table, name_fields, text):
    """The id of the `table` row with a name equal to `text` once folded (case, accents, punctuation and script set
    aside, as pipeline.reconcile folds them): the first row whose main name it is, else the first that has it in
    another name field. None when no row has it, or `table` has no names in entity_names (the build writes them
    for the reconciled tables). One indexed lookup per name field, however many rows share the name."""
    key = fold(text)
    found = []  # (rowid, id) of the first row with the name in each other field
    for field in name_fields:
        row = conn.execute(EXACT_NAME_SQL, [key, table, field]).fetchone()
        if row and field == name_fields[0]:
            return row[1]
        if row:
            found.append(tuple(row))
    return min(found)[1] if found else None


def resolve_id(conn, table, name_fields, text):
    """The id of the `table` row that `text` names: its id (any case); else the row with a name or other name
    equal to it, folded ("POR" gives por, "Лора" guillermo-lora, "Edwin Moller" edwin-moller); else the best
    full-text match of its words, as prefixes of stems, in the name columns ("Lechin Oquendo"). None when
    nothing matches."""
    text = (text or "").strip()
    if not text or len(text) > MAX_NAME:
        return None
    row = conn.execute(f"select id from [{table}] where id in (?, ?)", [text, text.lower()]).fetchone()
    if row:
        return row[0]
    try:
        exact = exact_name_id(conn, table, name_fields, text)
    except sqlite3.OperationalError:  # a database built without entity_names
        exact = None
    if exact:
        return exact
    columns = "{" + " ".join(name_fields) + "}"
    # bm25() rather than rank: FTS5 sorts every match for ORDER BY rank, SQLite keeps only the best for LIMIT 1 (a
    # quarter less work for a word in thousands of names). Of equal ranks, the first row.
    row = conn.execute(f"select id from [{table}] where rowid = (select rowid from [{table}_fts] where [{table}_fts] match ? "
                       f"order by bm25([{table}_fts]), rowid limit 1)", [f"{columns} : ({fts_query(text)})"]).fetchone()
    return row[0] if row else None
