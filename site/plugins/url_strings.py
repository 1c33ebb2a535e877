"""Datasette's URL strings without their per-call overheads: the same strings, faster.

1. Datasette's URL builder returns PrefixedUrlString, a str whose every method call (`.split`,
   `.startswith`, …, what urljoin and the templates call) first listed all of str's
   attributes with dir(str) to decide whether to wrap the answer: about 8 µs a call, 38 calls
   on the SQL page. The list is made once here; the answers are as before (a str answer comes
   back as PrefixedUrlString).
2. Absolute URLs joined as strings where that is exactly what urljoin answers. Datasette makes
   every facet value's link, and the next page's, absolute with `Datasette.absolute_url`: the
   request's headers rebuilt into a dict, its URL rebuilt, then urllib.parse.urljoin, which
   calls many string methods on the PrefixedUrlString. The events table as JSON has 3 facets
   and 23 such links. For a plain host (letters, digits, dots, hyphens, a port) and a path that
   starts with one "/" and has no dot segments, doubled slashes, parameters, tabs or line
   breaks, no fragment and no empty query, urljoin's answer is scheme://host + path, and that
   is what is returned; anything else goes to Datasette's own method.
   `test_absolute_urls_are_the_ones_urljoin_gives` compares the two.
"""
import re

from datasette import hookimpl
from datasette.utils import PrefixedUrlString

STR_METHODS = frozenset(name for name in dir(str) if not name.startswith("__"))

PLAIN_HOST = re.compile(r"[A-Za-z0-9.-]+(:[0-9]+)?")
PLAIN_PATH = re.compile(r"/(?!/)(?:[^/;?#\t\r\n]+/?)*(?:\?[^#\t\r\n]+)?")
DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|\?|$)")


def prefixed_url_attribute(self, name):
    """PrefixedUrlString.__getattribute__ as Datasette 0.65.5 writes it, with dir(str) made once."""
    if name in STR_METHODS:
        def method(self, *args, **kwargs):
            value = str.__getattribute__(self, name)(*args, **kwargs)  # as super() would: maketrans stays static
            if isinstance(value, str):
                return type(self)(value)
            elif isinstance(value, list):
                return [type(self)(i) for i in value]
            elif isinstance(value, tuple):
                return tuple(type(self)(i) for i in value)
            return value

        return method.__get__(self)
    return str.__getattribute__(self, name)


PrefixedUrlString.__getattribute__ = prefixed_url_attribute


def request_host(scope):
    """Datasette's request.host: the last Host header, whatever its case, else localhost."""
    host = ""
    for name, value in scope.get("headers") or []:
        if name.lower() == b"host":
            host = value.decode("latin-1")
    return host or "localhost"


def joined(scheme, host, path):
    """scheme://host + path where urljoin would answer the same, else None."""
    if scheme not in ("http", "https") or not PLAIN_HOST.fullmatch(host):
        return None
    if not PLAIN_PATH.fullmatch(path) or DOT_SEGMENT.search(path.split("?", 1)[0]):
        return None
    return f"{scheme}://{host}{path}"


@hookimpl
def startup(datasette):
    datasettes_own = datasette.absolute_url
    force_https = datasette.setting("force_https_urls")

    def absolute_url(request, path):
        # A plain str: every method call on a PrefixedUrlString still goes through a Python-level wrapper.
        url = joined(request.scope.get("scheme") or "http", request_host(request.scope), str(path))
        if url is None:
            return datasettes_own(request, path)
        if force_https and url.startswith("http://"):
            url = "https://" + url[len("http://"):]
        return url

    datasette.absolute_url = absolute_url
