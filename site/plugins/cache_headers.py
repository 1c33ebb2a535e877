"""Cache-Control on every page of the immutable database, and long-lived caching for static files.

Datasette sets `Cache-Control: max-age=<default_cache_ttl>` on table, row, query and
database pages, but not on the home page, CSV exports, the database download, /-/search,
/-/metadata.json or static files, so a cache in front (deploy/nginx.conf) or a browser had
to ask again each time. The file only changes with a new deployment, so every successful
GET of a page gets the same lifetime as Datasette's own pages; a static file whose URL names
its version (`app.css?d59929`, `main.08f5d3d8.js`, `vega-6.4.0.min.js`) never changes and is
kept for a year, any other for a day. Responses that already say how to cache them (Datasette's
`private, no-store` for requests with cookies) and the pages that report the server's state
(threads, actor, permissions) are left alone.
"""
import re

from datasette import hookimpl

STATIC_PREFIXES = ("/-/static/", "/-/static-plugins/", "/site/")
VERSIONED_NAME = re.compile(r"[.-]v?(\d+\.\d+(\.\d+)?|[0-9a-f]{8,})(\.min)?\.[a-z0-9]+$")
LIVE_PAGES = ("/-/threads", "/-/actor", "/-/permissions", "/-/messages", "/-/allow-debug", "/-/auth-token",
              "/-/logout", "/-/mcp")
A_YEAR, A_DAY = 365 * 86400, 86400


def cache_control(path, query_string, ttl):
    """The Cache-Control header for a successful GET of `path`, or None to leave the response as it is."""
    if path.startswith(STATIC_PREFIXES):
        if query_string or VERSIONED_NAME.search(path):
            return f"public, max-age={A_YEAR}, immutable"
        return f"public, max-age={A_DAY}"
    if path.startswith(LIVE_PAGES) or not ttl:
        return None
    return f"max-age={ttl}"


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def with_cache_headers(scope, receive, send):
            if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
                return await app(scope, receive, send)
            header = cache_control(scope["path"], scope.get("query_string"), datasette.setting("default_cache_ttl"))
            if header is None:
                return await app(scope, receive, send)

            async def send_with_header(message):
                if message["type"] == "http.response.start" and message["status"] == 200:
                    headers = message.get("headers", [])
                    if not any(name.lower() in (b"cache-control", b"set-cookie") for name, _ in headers):
                        message = {**message, "headers": [*headers, (b"cache-control", header.encode())]}
                await send(message)

            return await app(scope, receive, send_with_header)

        return with_cache_headers

    return wrap
