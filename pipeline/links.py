"""Which cell of a result names a row of which table: the rules the reading pages and every query
result use to turn names into links. Pure functions; the build derives the id columns from the
data package's foreign keys and writes them into the site's metadata."""


def id_columns(package):
    """{column name: table} for every foreign-key column of the package (person_id -> people, ...)."""
    columns = {}
    for resource in package["resources"]:
        for fk in resource["schema"].get("foreignKeys", []):
            columns[fk["fields"]] = fk["reference"]["resource"] or resource["name"]
    return columns


def may_link(column, id_columns):
    """Whether some rule of cell_link could link `column` in some row: a cheap test made once per cell,
    before the row is copied."""
    return column in id_columns or f"{column}_id" in id_columns or column in ("name", "link_id", "id")


def cell_link(row, column, id_columns, tables):
    """(table, id) of the row a cell names, or None.

    - a foreign-key column (person_id) names a row of its table;
    - a column beside its id column (person beside person_id) names the same row;
    - `name` or `link_id` beside `link_table` and `link_id` names that row;
    - `id` beside `kind`, where kind is a table (search results), names that row.
    """
    value = row.get(column)
    if value is None or value == "":
        return None
    if column in id_columns:
        return id_columns[column], value
    if f"{column}_id" in id_columns and row.get(f"{column}_id"):
        return id_columns[f"{column}_id"], row[f"{column}_id"]
    if column in ("name", "link_id") and row.get("link_table") in tables and row.get("link_id"):
        return row["link_table"], row["link_id"]
    if column == "id" and row.get("kind") in tables:
        return row["kind"], value
    return None
