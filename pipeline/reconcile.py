"""Every name of every reconciled row, folded so that accents, case, punctuation and script do not
matter, and how well a typed name matches one of them: the OpenRefine reconciliation service
(site/plugins/reconcile.py) and the Popolo export's other names.

The package declares what is reconciled once: `reconciliation.resources` (which tables), each table's
`nameFields` (its names, the first being the row's label) and `schemaOrgType` (the type OpenRefine
sees), and the fields whose cell holds a list (`separator`). The build writes the `entity_names`
table from that: one row per distinct name, its folded `key` indexed for exact lookups (a typed name
resolved to an id, pipeline/search_terms.py) and by trigrams in `entity_names_fts` (candidates for a
misspelt or partial name).
"""
import re
import unicodedata

from rapidfuzz.distance import Indel

from .problems import Problem

NAME_TABLE = "entity_names"
NAME_COLUMNS = {
    "key": "The name folded: lower case, no accents, Cyrillic in Latin letters, punctuation as single spaces",
    "name": "The name as the row writes it",
    "field": "The column of the row it is written in",
    "id": "The row's id",
    "type": "The row's schema.org type (its table's schemaOrgType)",
    "resource": "The table of the row",
    "label": "The row's main name",
    "description": "What describes the row to OpenRefine (the package's reconciliation.descriptionField)",
}
# The exact lookup of a folded name in one table, field by field (pipeline/search_terms.py); the key alone
# finds the reconciliation service's names too short for a trigram.
NAME_INDEX = ("key", "resource", "field")
TRIGRAM_TABLE = f"{NAME_TABLE}_fts"

# Russian letters as the article writes Spanish names in Cyrillic (Хуан = Juan, Лечин = Lechin,
# Щелчков = Shchelchkov); й and ё lose their marks with the accents, ъ and ь are not letters of a name.
CYRILLIC = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i", "і": "i",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "j", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
})
NOT_A_LETTER = re.compile(r"[\W_]+")
# Initials spelled with dots or spaces are one word: P.O.R. and "P O R" are POR.
INITIALS = re.compile(r"\b\w(?: \w\b)+")
CLOSE_WORDS = 0.85  # two words this similar are the same word misspelt or inflected (Лечин, Лечина)
MAX_CANDIDATES = 200  # names a query scores at most, the best by the trigram index first


def fold(text):
    """The comparable form of a name: lower case, no accents, Cyrillic in Latin letters, words
    separated by single spaces. "Juan Lechín", "Lechin" and "Лечин" all contain `lechin`."""
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    if not text.isascii():  # most names are, and the build folds every name
        text = "".join(c for c in text if not unicodedata.combining(c)).translate(CYRILLIC)
    text = NOT_A_LETTER.sub(" ", text.replace("'", "").replace("’", "")).strip()
    return INITIALS.sub(lambda m: m.group(0).replace(" ", ""), text)


def trigram_query(key):
    """The FTS5 (trigram tokenizer) expression finding names that share a three-letter run with `key`;
    None for a key too short to have one."""
    grams = dict.fromkeys(key[i:i + 3] for i in range(len(key) - 2))
    return " OR ".join(f'"{gram}"' for gram in grams) or None


def similarity(query, name):
    """How well folded `query` matches folded `name`, 0–100: 100 only when they are the same; otherwise the
    better of the two spellings' likeness as a whole (Indel similarity, as difflib's ratio) and the share of
    words they have in common (a word counts as in common when spelt nearly the same), the typed words
    weighing more."""
    if query == name:
        return 100
    if not query or not name:
        return 0
    query_words, name_words = query.split(), name.split()
    close = [[Indel.normalized_similarity(q, n, score_cutoff=CLOSE_WORDS) > 0 for n in name_words] for q in query_words]
    found = sum(map(any, close)) / len(query_words)
    covered = sum(map(any, zip(*close))) / len(name_words)
    return min(99, round(100 * max(Indel.normalized_similarity(query, name), 0.6 * found + 0.4 * covered)))


def best_candidates(query, names, limit):
    """Rank the entities of `names` (rows with id, type, label, description and key) for `query`:
    each entity scored by its best-matching name, best first. `match` is true only for a sole best
    candidate whose name is the query's (folded), so OpenRefine never auto-matches an ambiguous name."""
    key = fold(query)
    best = {}
    for row in names:
        score = similarity(key, row["key"])
        if row["id"] not in best or score > best[row["id"]]["score"]:
            best[row["id"]] = {"id": row["id"], "name": row["label"], "type": [{"id": row["type"], "name": row["type"]}],
                               "score": score, "description": row["description"] or ""}
    ranked = sorted(best.values(), key=lambda c: (-c["score"], c["name"], c["id"]))
    exact = [c for c in ranked if c["score"] == 100]
    for candidate in ranked:
        candidate["match"] = len(exact) == 1 and candidate is exact[0]
    return ranked[:limit]


# ------------------------------------------------------------------ the build's part


def reconciled_resources(package):
    return [r for r in package["resources"] if r["name"] in package.get("reconciliation", {}).get("resources", [])]


def declaration_problems(path, package, other_names=()):
    """What is wrong with the package's `reconciliation` declaration. `other_names`: the names of the
    views, which the generated table must not take."""
    declared = package.get("reconciliation", {})
    names = {r["name"] for r in package["resources"]}
    for name in declared.get("resources", []):
        if name not in names:
            yield Problem(path, 0, "", f"reconciliation.resources: {name!r} is not a resource")
    for generated in (NAME_TABLE, TRIGRAM_TABLE):
        if generated in names or generated in other_names:
            yield Problem(path, 0, "", f"{generated!r} is a table the build writes for reconciliation; rename that resource or view")
    for resource in reconciled_resources(package):
        schema = resource["schema"]
        for needed, where in (("nameFields", schema), ("schemaOrgType", resource)):
            if not where.get(needed):
                yield Problem(path, 0, "", f"resources[{resource['name']}]: reconciled, so it needs {needed}")
        if schema.get("primaryKey") != "id":
            yield Problem(path, 0, "", f"resources[{resource['name']}]: reconciled, so its primaryKey must be id")
    description = declared.get("descriptionField")
    if description is not None and not isinstance(description, str):
        yield Problem(path, 0, "", "reconciliation.descriptionField: expected a field name")


def id_clashes(package, tables):
    """An id must name one row across the reconciled tables: OpenRefine keeps the id alone."""
    seen = {}
    for resource in reconciled_resources(package):
        table = tables[resource["name"]]
        for line, row in table.rows:
            if row["id"] in seen:
                yield Problem(table.path, line, "id", f"{row['id']!r} is also an id in {seen[row['id']]}; "
                                                      "reconciled tables must not share an id")
            else:
                seen[row["id"]] = resource["name"]


def name_rows(package, tables):
    """(key, name, field, id, type, resource, label, description) for each distinct name of each reconciled row."""
    description_field = package.get("reconciliation", {}).get("descriptionField")
    for resource in reconciled_resources(package):
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        name_fields = resource["schema"]["nameFields"]
        for _, row in tables[resource["name"]].rows:
            seen = set()
            for field in name_fields:
                value = row.get(field) or ""
                separator = fields[field].get("separator")
                for name in (value.split(separator) if separator else [value]):
                    name = name.strip()
                    if name and name not in seen:
                        seen.add(name)
                        yield (fold(name), name, field, row["id"], resource["schemaOrgType"], resource["name"],
                               row[name_fields[0]], row.get(description_field))


def create_name_table(db, package, tables):
    """The `entity_names` table, indexed on NAME_INDEX, and `entity_names_fts`, the trigram index of its keys: an
    FTS5 table over its rows (external content, so each name is stored once), the other columns readable through
    it unindexed."""
    db.execute(f"CREATE TABLE [{NAME_TABLE}] ({', '.join(f'[{c}] TEXT' for c in NAME_COLUMNS)})")
    with db.conn:
        db.conn.executemany(f"INSERT INTO [{NAME_TABLE}] ({', '.join(NAME_COLUMNS)}) VALUES ({', '.join('?' * len(NAME_COLUMNS))})",
                            name_rows(package, tables))
    db[NAME_TABLE].create_index(NAME_INDEX)
    key, *others = NAME_COLUMNS
    columns = ", ".join([key] + [f"{c} UNINDEXED" for c in others])
    db.execute(f"CREATE VIRTUAL TABLE [{TRIGRAM_TABLE}] USING fts5({columns}, content=[{NAME_TABLE}], tokenize = 'trigram')")
    with db.conn:
        db.execute(f"INSERT INTO [{TRIGRAM_TABLE}] ([{TRIGRAM_TABLE}]) VALUES ('rebuild')")


def name_table_metadata():
    """What the site's metadata says of the `entity_names` table: described, and hidden from the table lists
    as the full-text tables are (the reconciliation service and typed names read it)."""
    return {"description": "Every name of every row OpenRefine can match (the package's reconciliation.resources), "
                           "folded: where /-/reconcile and the queries' name parameters look names up",
            "columns": dict(NAME_COLUMNS), "hidden": True}
