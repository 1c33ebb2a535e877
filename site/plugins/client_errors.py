"""A request's own mistakes answer 4xx, quietly; only the site's faults answer 500, with one traceback.

Datasette 0.65.5 answers 500 for many mistakes in a request: an unknown `_sort` column, a
`_through`, `_facet` or `_timelimit` it cannot parse, a number too large for SQLite, a NUL in
`_where`, a POST to a table. Its default handler, with `rich` installed (the locked packages
have it), prints a 30 KB traceback with every local variable for each error, a 404 included, and
itself fails with a 500 on a 404 raised outside an except block (any unrouted URL such as
/a/b/c/d). This handler renders the same error pages with the status the request earned;
uvicorn's access log already records each 4xx, and a real 500 prints a plain traceback.
"""
import os
import sqlite3
import sys
import sysconfig
import traceback

import datasette
from datasette import hookimpl
from datasette.utils import add_cors_headers
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError
from markupsafe import Markup

DEFAULT_HANDLER = "datasette.handle_exception"
DATASETTE_CODE = os.path.dirname(datasette.__file__) + os.sep
STANDARD_LIBRARY = sysconfig.get_paths()["stdlib"] + os.sep
# Errors of the machine, never of a request.
SERVER_ERRORS = (MemoryError, OSError, SystemError)
PARSING_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError, sqlite3.Error)


def raised_reading_the_request(exception):
    """True when Datasette's own code, not a plugin's or a template's, raised this parsing error:
    the innermost frame of Python code outside the standard library is Datasette's (json.loads of a
    `_facet={`, int() of a `_timelimit`, sqlite3 binding a 20-digit number, all called by it)."""
    if not isinstance(exception, PARSING_ERRORS) or isinstance(exception, SERVER_ERRORS):
        return False
    frames = [f.filename for f in traceback.extract_tb(exception.__traceback__)
              if f.filename.endswith(".py") and not f.filename.startswith(STANDARD_LIBRARY)]
    return bool(frames) and frames[-1].startswith(DATASETTE_CODE)


def client_status(exception, method):
    """The 4xx status of an error the request caused, or None for a fault of the site (500)."""
    if isinstance(exception, Base400):
        return exception.status
    if isinstance(exception, DatasetteError):
        # Without a status Datasette means 500, but 0.65.5 raises it so only for what the request
        # asked: a column it cannot sort by, a _through without a foreign key, SQL SQLite refuses.
        return 400 if exception.status == 500 else exception.status
    if isinstance(exception, QueryInterrupted):
        return 400  # past the time limit, as Datasette answers it for HTML and JSON (not for CSV)
    if isinstance(exception, AssertionError) and method == "POST":
        return 405  # "You may only POST to a canned query"
    if raised_reading_the_request(exception):
        return 400
    return None


async def error_response(datasette, request, exception):
    status = client_status(exception, request.method)
    title, info = None, {}
    message = str(exception.args[0]) if exception.args else type(exception).__name__
    if isinstance(exception, DatasetteError):
        info, title = dict(exception.error_dict or {}), exception.title
        message = Markup(exception.message) if exception.message_is_html else exception.message
    if status is None:
        status = 500
        traceback.print_exception(type(exception), exception, exception.__traceback__, file=sys.stderr)
    info.update({"ok": False, "error": message, "status": status, "title": title})
    headers = {}
    if datasette.cors:
        add_cors_headers(headers)
    if request.path.split("?")[0].endswith(".json"):
        return Response.json(info, status=status, headers=headers)
    template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
    html = await template.render_async(dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
                                            menu_links=lambda: []))
    return Response.html(html, status=status, headers=headers)


@hookimpl(wrapper=True)
def handle_exception(datasette, request, exception):
    # Datasette's default answer is dropped before it runs (it would print the rich traceback);
    # another plugin's answer still comes first.
    answers = yield
    others = [a for a in answers if getattr(a, "__module__", None) != DEFAULT_HANDLER]

    async def answer():
        return await error_response(datasette, request, exception)

    return others + [answer]
