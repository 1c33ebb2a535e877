"""A table page's rows built in Python, without the columns the build derives; a reading page's sections too.

Datasette's own _table.html renders every cell through Jinja's async machinery, and every
table with an EDTF date carries the *_earliest, *_latest, *_year, *_decade and *_order columns
the build derives for sorting and facets (data/datapackage.json `derivedFields`), which the
page hides (site/static/site.css) while JSON, CSV and SQL keep them. On the events page (100
rows, 9 of 17 columns derived) the cells were half of the page's time. site/templates/_table.html
leaves those columns out (the build lists them, pipeline/site.py) and writes the body with
`table_body`: the same cells, with the same classes and escaping, in a fraction of the time.
A reading page's profile sections (site/templates/row.html) are written by `section_body`, and a
query page's rows (site/templates/query.html) by `query_body`.
"""
from datasette import hookimpl
from datasette.utils import to_css_class
from markupsafe import Markup, escape

PLUGIN = "table-rows"


def table_body(display_rows, hidden=frozenset()):
    """The <tr> rows of Datasette's table markup for `display_rows`, leaving out the `hidden` columns."""
    classes = {}
    rows = []
    for row in display_rows:
        cells = []
        for cell in row:
            column = cell["column"]
            if column in hidden:
                continue
            if column not in classes:
                classes[column] = f"col-{escape(to_css_class(column))}"
            cells.append(f'<td class="{classes[column]} type-{escape(cell["value_type"])}">{escape(cell["value"])}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return Markup("\n".join(rows))


def query_body(display_rows, columns):
    """The <tr> rows of Datasette's query.html for `display_rows` (cells already rendered: Markup kept,
    text escaped, as Jinja's autoescape does)."""
    classes = [f"col-{escape(to_css_class(column))}" for column in columns]
    return Markup("\n".join(
        "<tr>" + "".join(f'<td class="{css}">{escape(cell)}</td>' for css, cell in zip(classes, row)) + "</tr>"
        for row in display_rows))


def section_body(section):
    """The <tr> rows of a reading page's section: one <td data-label="column"> per column, values already
    escaped or linked by the reading-pages plugin."""
    labels = [(column, escape(column.replace("_", " "))) for column in section["columns"]]
    return Markup("\n".join(
        "<tr>" + "".join(f'<td data-label="{label}">{escape(row[column])}</td>' for column, label in labels) + "</tr>"
        for row in section["rows"]))


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["table_body"] = table_body
    env.filters["section_body"] = section_body
    env.filters["query_body"] = query_body


@hookimpl
def extra_template_vars(view_name, table, datasette):
    if view_name != "table":
        return {}
    hidden = (datasette.plugin_config(PLUGIN) or {}).get("hidden_columns", {})
    return {"hidden_columns": frozenset(hidden.get(table, ()))}
