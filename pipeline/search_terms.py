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


def exact_name_ids(conn, table, name_fields, text):
    """Ids of `table` rows with a name equal to `text` once folded (case, accents, punctuation and script set
    aside, as pipeline.reconcile folds them), those whose main name it is first. [] for a table with no names
    in entity_names (the build writes it for the reconciled tables)."""
    key = fold(text)
    # A trigram match narrows the search to a few rows; keys under three letters have no trigram.
    narrowing = f"[{NAME_TABLE}] match ? and " if len(key) >= 3 else ""
    arguments = ['"{}"'.format(key)] if narrowing else []
    rows = conn.execute(f"select id, field from [{NAME_TABLE}] where {narrowing}key = ? and resource = ?",
                        arguments + [key, table]).fetchall()
    return list(dict.fromkeys(i for i, field in sorted(rows, key=lambda r: r[1] != name_fields[0])))


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
        exact = exact_name_ids(conn, table, name_fields, text)
    except sqlite3.OperationalError:  # a database built without entity_names
        exact = []
    if exact:
        return exact[0]
    columns = "{" + " ".join(name_fields) + "}"
    row = conn.execute(f"select t.id from [{table}_fts] f join [{table}] t on t.rowid = f.rowid "
                       f"where [{table}_fts] match ? order by f.rank limit 1", [f"{columns} : ({fts_query(text)})"]).fetchone()
    return row[0] if row else None
