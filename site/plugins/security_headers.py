"""Security headers on every response, and one ETag per encoding.

- Content-Security-Policy: scripts only from this site, plus the inline scripts of the page
  itself, allowed by their SHA-256 (computed from each HTML response, so Datasette's, the
  plugins' and the templates' inline scripts keep working without a list to maintain). A hash
  list switches off inline event handlers and `javascript:` URLs, so a link a query result puts
  into a map popup cannot run script. `unsafe-eval` stays because Vega compiles its expressions
  with Function(). Styles may be inline (Datasette's templates use style attributes); images
  may come from the OpenStreetMap tile servers; nothing may frame the site.
- X-Content-Type-Options, X-Frame-Options, Referrer-Policy, Cross-Origin-Opener-Policy.
- A click on a link whose scheme is not http, https or mailto (a `javascript:` popup link) is
  cancelled in the page too, for browsers or proxies that drop the header.
"""
import base64
import hashlib
import re

from datasette import hookimpl

INLINE_SCRIPT = re.compile(rb"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
HAS_SRC = re.compile(rb"\bsrc\s*=", re.I)
TILE_SERVERS = "https://*.tile.openstreetmap.org"
HEADERS = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"strict-origin-when-cross-origin"), (b"cross-origin-opener-policy", b"same-origin")]
SAFE_LINKS_SCRIPT = """
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[href]");
  if (link && !/^(https?|mailto):$/.test(link.protocol)) { event.preventDefault(); }
}, true);
"""


def script_hashes(html):
    """CSP sources for each inline script of an HTML page (lines ending as the browser's parser ends them)."""
    sources = []
    for attributes, body in INLINE_SCRIPT.findall(html):
        if HAS_SRC.search(attributes):
            continue
        body = body.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        sources.append("'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'")
    return sorted(set(sources))


def content_security_policy(hashes):
    return "; ".join([
        "default-src 'self'",
        "script-src " + " ".join(["'self'", "'unsafe-eval'", *hashes]),
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: {TILE_SERVERS}",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]).encode()


def without(headers, *names):
    return [(k, v) for k, v in headers if k.lower() not in names]


def with_security_headers(app):
    """Adds the headers; an HTML page is held until complete, to hash its inline scripts."""
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        start, body = None, []

        async def send_with_headers(message):
            nonlocal start
            if message["type"] == "http.response.start":
                headers = without(message.get("headers", []), *(name for name, _ in HEADERS)) + HEADERS
                content_type = dict((k.lower(), v) for k, v in headers).get(b"content-type", b"")
                if content_type.startswith(b"text/html") and scope["method"] != "HEAD":
                    start = {**message, "headers": headers}
                    return
                return await send({**message, "headers": headers + [(b"content-security-policy", content_security_policy([]))]})
            if start is None:
                return await send(message)
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            html = b"".join(body)
            headers = without(start["headers"], b"content-length") + [
                (b"content-length", str(len(html)).encode()),
                (b"content-security-policy", content_security_policy(script_hashes(html)))]
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": html})

        return await app(scope, receive, send_with_headers)

    return wrapped


@hookimpl
def asgi_wrapper():
    return with_security_headers  # inside compression.py's wrapper: sees the HTML uncompressed


@hookimpl
def extra_body_script():
    return SAFE_LINKS_SCRIPT
