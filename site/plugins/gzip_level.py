"""Gzip at level 5 rather than datasette-gzip's 9: a third of the CPU, bodies within 3%.

datasette-gzip wraps the site in asgi_gzip's GZipMiddleware with its default compresslevel, 9.
On this site's pages level 9 costs 1.6–1.9 times the CPU of level 6 for output under 1% smaller
(the events table as JSON: 3.8 ms against 2.3 ms, 14.4 KB against 14.4 KB; all of citations
as CSV: 7.1 ms against 3.8 ms), and level 5 another 30–35% less than level 6 for output 1–3%
larger (the events table as JSON 1.41 → 0.91 ms, 14.4 → 14.6 KB; as HTML 1.84 → 1.31 ms, 19.6 →
20.2 KB). Served directly that CPU is spent on every request; behind the
nginx cache once per entry. datasette-gzip passes no level, so the middleware's default is
set here, on import: Datasette imports this folder's plugins before it builds its ASGI stack.
"""
import asgi_gzip

GZIP_LEVEL = 5

minimum_size, _ = asgi_gzip.GZipMiddleware.__init__.__defaults__
asgi_gzip.GZipMiddleware.__init__.__defaults__ = (minimum_size, GZIP_LEVEL)
