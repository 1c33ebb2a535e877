"""Cache-Control for Datasette's and the plugins' static files (CSS, JS such as the 944 KB vega bundle).

Datasette sets Cache-Control on data responses (default_cache_ttl) but not on /-/static/
and /-/static-plugins/; the files only change when the pinned packages do, so browsers
and caches may keep them for a day.
"""
from datasette import hookimpl

STATIC_PREFIXES = ("/-/static/", "/-/static-plugins/")
STATIC_CACHE_CONTROL = b"public, max-age=86400"


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def with_cache_headers(scope, receive, send):
            if scope["type"] != "http" or not scope["path"].startswith(STATIC_PREFIXES):
                return await app(scope, receive, send)

            async def send_with_header(message):
                if message["type"] == "http.response.start" and message.get("status") == 200:
                    headers = [h for h in message.get("headers", []) if h[0].lower() != b"cache-control"]
                    message = {**message, "headers": headers + [(b"cache-control", STATIC_CACHE_CONTROL)]}
                await send(message)

            return await app(scope, receive, send_with_header)

        return with_cache_headers

    return wrap
