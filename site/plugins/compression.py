"""Gzip for every compressible response, with one ETag per encoding.

The outermost wrapper: it sees each answer as the site made it (the security headers'
wrapper inside has already written the whole HTML page as one body) and compresses it
when the request accepts gzip:
- a body under MINIMUM_BYTES, an answer already encoded and an event stream are sent as
  they are;
- a body sent in one message is compressed in one call, with a window no larger than the
  body needs: zlib sets up (and on a busy server mostly fetches from memory) its window for
  every response, and the default 32 KB window made compressing a 9 KB page about 0.16 ms
  instead of 0.11 ms, for the same bytes out;
- a streamed body (CSV, the database download) is compressed chunk by chunk;
- `Vary: Accept-Encoding` on every answer that could have been compressed, so a cache
  keeps the two forms apart.
An encoded answer's ETag gets GZIP_SUFFIX, so a cache never answers a plain request with
gzip bytes that share the plain file's tag; an If-None-Match naming the gzip tag is matched
back to the plain one, and a 304 names the tag it confirms.

Level 4: on this site's pages level 9 cost 1.6-1.9 times the CPU of level 6 for output under
1% smaller, level 5 30-35% less than 6 for output 1-3% larger, and level 4 (zlib's lightest
level with lazy matching) another 26% less than 5 for output 4% larger, over eleven page kinds
(the events table as JSON 0.86 -> 0.59 ms, 14.6 -> 15.1 KB; as HTML 1.24 -> 0.92 ms, 20.2 ->
21.2 KB). Served directly that CPU is spent on every request; behind the nginx cache once per
entry.
"""
import zlib

from datasette import hookimpl

LEVEL = 4
MINIMUM_BYTES = 500
GZIP_WRAPPER_BITS = 16  # added to zlib's window bits: a gzip header and trailer
LARGEST_WINDOW_BITS, SMALLEST_WINDOW_BITS = 15, 9
LOOKAHEAD = 262  # zlib's MIN_LOOKAHEAD: a match reaches back at most the window less this
GZIP_SUFFIX = b"-gzip"


def window_bits(size):
    """The smallest zlib window whose matches reach back over a whole body of `size` bytes."""
    return max(SMALLEST_WINDOW_BITS, min(LARGEST_WINDOW_BITS, (size + LOOKAHEAD).bit_length()))


def gzip_compressor(size=None):
    bits = window_bits(size) if size is not None else LARGEST_WINDOW_BITS
    return zlib.compressobj(LEVEL, zlib.DEFLATED, GZIP_WRAPPER_BITS + bits)


def gzip_bytes(body):
    compressor = gzip_compressor(len(body))
    return compressor.compress(body) + compressor.flush()


def with_header(headers, name, value):
    return [(k, v) for k, v in headers if k.lower() != name] + [(name, value)]


def with_vary(headers):
    vary = [v for k, v in headers if k.lower() == b"vary"]
    return with_header(headers, b"vary", b", ".join(vary + [b"Accept-Encoding"]))


def gzip_etag(headers):
    return [(k, v[:-1] + GZIP_SUFFIX + b'"' if k.lower() == b"etag" and v.endswith(b'"') else v) for k, v in headers]


def request_encoding(scope):
    """(accepts gzip, If-None-Match as sent, the request's headers with a gzip tag matched back to the plain one)."""
    accepts_gzip, if_none_match, headers = False, None, []
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            accepts_gzip = accepts_gzip or b"gzip" in value
        elif name == b"if-none-match":
            if_none_match = value
            if value.rstrip(b'"').endswith(GZIP_SUFFIX):
                value = value[: value.rfind(GZIP_SUFFIX)] + b'"'
        headers.append((name, value))
    return accepts_gzip, if_none_match, headers


def compressing(app):
    async def wrapped(scope, receive, send):
        if scope["type"] != "http":
            return await app(scope, receive, send)
        accepts_gzip, if_none_match, request_headers = request_encoding(scope)
        held, compressor = None, None

        async def send_encoded(message):
            nonlocal held, compressor
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if message["status"] == 304:
                    if if_none_match and not any(k.lower() == b"etag" for k, _ in headers):
                        headers = headers + [(b"etag", if_none_match)]  # a 304 names the tag it confirms
                    elif if_none_match and if_none_match.rstrip(b'"').endswith(GZIP_SUFFIX):
                        headers = gzip_etag(headers)
                    return await send({**message, "headers": headers})
                names = {k.lower(): v for k, v in headers}
                if b"content-encoding" in names or names.get(b"content-type", b"").startswith(b"text/event-stream"):
                    return await send(message)
                held = message  # until the first body says whether and how to compress
                return
            if compressor is not None and message["type"] == "http.response.body":  # the rest of a stream
                body = compressor.compress(message.get("body", b""))
                if not message.get("more_body", False):
                    body += compressor.flush()
                return await send({**message, "body": body})
            if held is None:
                return await send(message)
            start, held = held, None
            body, more_body = message.get("body", b""), message.get("more_body", False)
            if message["type"] != "http.response.body" or (not more_body and len(body) < MINIMUM_BYTES):
                await send(start)
                return await send(message)
            headers = with_vary(start.get("headers", []))
            if accepts_gzip:
                headers = with_header(gzip_etag(headers), b"content-encoding", b"gzip")
                if more_body:
                    compressor = gzip_compressor()
                    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    body = compressor.compress(body)
                else:
                    body = gzip_bytes(body)
                    headers = with_header(headers, b"content-length", str(len(body)).encode())
            await send({**start, "headers": headers})
            await send({**message, "body": body})

        return await app({**scope, "headers": request_headers}, receive, send_encoded)

    return wrapped


@hookimpl(trylast=True)
def asgi_wrapper():
    # trylast: Datasette applies the wrappers in the order returned, so this one is outermost.
    return compressing
