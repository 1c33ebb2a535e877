"""What a request may ask, checked before Datasette parses it.

- A query string over MAX_QUERY_STRING_BYTES answers 414, one with more than MAX_QUERY_PARAMETERS
  parameters 400: Datasette 0.65.5 spends time quadratic in the parameters (3,000 took 13-18 s of
  the one event loop, stalling every other request); the longest real URL here, the edit-SQL
  link of the longest canned query, is about 3.3 KB with a dozen parameters.
- A request body over MAX_BODY_BYTES answers 413 (only the reconciliation and MCP endpoints read
  one; their batches are a few KB).
- A method Datasette has no handler for (TRACE, anything made up) answers 405 instead of a 500.
- Arbitrary SQL (`sql=`, `_where=`) and POSTed API calls (reconciliation, MCP) run at most
  num_sql_threads // 2 at a time: the other threads always serve pages, whatever the number of
  heavy queries in flight. The others wait up to SQL_QUEUE_SECONDS for a turn, then answer 503
  with Retry-After.
"""
import asyncio
import json
from urllib.parse import parse_qsl

from datasette import hookimpl

MAX_QUERY_STRING_BYTES = 16 * 1024
MAX_QUERY_PARAMETERS = 100
MAX_BODY_BYTES = 1024 * 1024
KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
SQL_PARAMETERS = {"sql", "_where"}
SQL_QUEUE_SECONDS = 10


def parameter_names(scope):
    """The query's parameter names; parsed only once the query string passed its size limits."""
    return [name for name, _ in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)]


def refusal(scope):
    """(status, message) for a request refused outright, or None."""
    if scope["method"] not in KNOWN_METHODS:
        return 405, f"method {scope['method'][:20]!r} is not allowed"
    query = scope.get("query_string", b"")
    if len(query) > MAX_QUERY_STRING_BYTES:
        return 414, f"the query string is over {MAX_QUERY_STRING_BYTES} bytes"
    # & and ; both separate parameters; counted first so a long string is parsed only when it is close.
    if query.count(b"&") + query.count(b";") >= MAX_QUERY_PARAMETERS and len(parameter_names(scope)) > MAX_QUERY_PARAMETERS:
        return 400, f"more than {MAX_QUERY_PARAMETERS} query parameters"
    length = dict(scope.get("headers", [])).get(b"content-length", b"0")
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return 413, f"the request body is over {MAX_BODY_BYTES} bytes"
    return None


def runs_arbitrary_sql(scope):
    return scope["method"] == "POST" or not SQL_PARAMETERS.isdisjoint(parameter_names(scope))


async def answer(send, scope, status, message, headers=()):
    body = (json.dumps({"ok": False, "error": message, "status": status}) if scope["path"].endswith(".json")
            else message).encode()
    content_type = b"application/json" if scope["path"].endswith(".json") else b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


def limited_body(receive):
    """`receive` that ends a chunked body at MAX_BODY_BYTES (Content-Length is checked before)."""
    received = 0

    async def receive_limited():
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > MAX_BODY_BYTES:
                return {"type": "http.disconnect"}
        return message

    return receive_limited


@hookimpl
def asgi_wrapper(datasette):
    sql_slots = asyncio.Semaphore(max(1, datasette.setting("num_sql_threads") // 2))

    def wrap(app):
        async def limited(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            refused = refusal(scope)
            if refused:
                return await answer(send, scope, *refused)
            if not runs_arbitrary_sql(scope):
                return await app(scope, limited_body(receive), send)
            try:
                await asyncio.wait_for(sql_slots.acquire(), SQL_QUEUE_SECONDS)
            except asyncio.TimeoutError:
                return await answer(send, scope, 503, "too many SQL queries are running; try again shortly",
                                    [(b"retry-after", str(SQL_QUEUE_SECONDS).encode())])
            try:
                return await app(scope, limited_body(receive), send)
            finally:
                sql_slots.release()

        return limited

    return wrap
