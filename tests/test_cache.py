"""The shipped cache: deploy/nginx.conf in front of a real server, the site's Cache-Control headers,
and what makes an uncached page cheap without changing it: the in-process caches of Datasette's
per-request questions, table rows written in Python, gzip at level 4 in a window sized to the body."""
import asyncio
import gzip
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import markupsafe
import pytest
from datasette.app import Datasette

from conftest import DATABASE, module_from_file
from pipeline import layout
from pipeline.front import nginx_config, running_front
from pipeline.server import free_port

CACHE_PLUGINS = ["schema_cache.py", "metadata_cache.py", "permission_cache.py"]
PERSON = f"/{DATABASE}/people/guillermo-lora"


def fetch(url, encoding="gzip", headers=None):
    """Status, headers and the body exactly as sent (not decoded)."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def front(server):
    with running_front(server, free_port()) as (base, run_dir):
        yield base, run_dir


def test_a_repeated_page_is_a_cache_hit_with_the_same_body(front):
    base, _ = front
    for path in ["/", PERSON, f"/{DATABASE}/events?_facet=classification", f"/{DATABASE}/people.json?_shape=array",
                 f"/{DATABASE}/citations.csv?_size=max", f"/{DATABASE}/most_cited_works"]:
        status, first_headers, first = fetch(base + path)
        assert status == 200, path
        assert first_headers["X-Cache-Status"] == "MISS", path
        status, headers, second = fetch(base + path)
        assert headers["X-Cache-Status"] == "HIT", path
        assert second == first and headers["Content-Encoding"] == "gzip", path


def test_gzip_and_identity_are_kept_apart(front):
    base, _ = front
    _, _, compressed = fetch(base + PERSON, "gzip")
    status, headers, plain = fetch(base + PERSON, "identity")
    assert status == 200 and headers["X-Cache-Status"] == "MISS" and "Content-Encoding" not in headers
    # Two renderings of one page differ only in how long its queries took.
    assert without_timing(gzip.decompress(compressed)) == without_timing(plain) and b"Guillermo Lora" in plain
    # Another spelling of "gzip" is the gzip entry; no encoding is the identity entry.
    for encoding, expected in [("gzip, deflate, br, zstd", compressed), ("deflate", plain), ("identity", plain)]:
        status, headers, body = fetch(base + PERSON, encoding)
        assert headers["X-Cache-Status"] == "HIT" and body == expected, encoding


def test_a_visitor_with_cookies_gets_the_cached_anonymous_page(front):
    base, _ = front
    _, _, anonymous = fetch(base + PERSON)
    status, headers, body = fetch(base + PERSON, headers={"Cookie": "ds_actor=forged; other=1", "Authorization": "Bearer x"})
    assert status == 200 and headers["X-Cache-Status"] == "HIT" and body == anonymous
    assert "private" not in headers["Cache-Control"]


def test_errors_and_live_pages_are_not_cached(front):
    base, _ = front
    for path in [f"/{DATABASE}/no_such_table", "/-/threads.json"]:
        fetch(base + path)
        status, headers, _ = fetch(base + path)
        assert headers["X-Cache-Status"] == "MISS", (path, status)


def test_oversized_requests_are_refused_before_datasette(front):
    base, _ = front
    long_url = f"{base}/{DATABASE}/events?" + "&".join(f"p{i}=1" for i in range(3000))
    assert fetch(long_url)[0] == 414
    request = urllib.request.Request(base + "/", data=b"x" * 100_000, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 413


def test_the_cache_is_bounded_by_its_configured_size(server):
    config = nginx_config(8080, "127.0.0.1:8001", "/run")
    assert re.search(r"proxy_cache_path \S+ .*keys_zone=\w+:\d+m .*max_size=512m", config)
    with running_front(server, free_port(), CACHE_SIZE="1m") as (base, run_dir):
        for page in range(12):  # 12 identity pages of about 200 KB: twice the bound
            status, headers, body = fetch(f"{base}/{DATABASE}/events?_n={page}", "identity")
            assert status == 200 and headers["X-Cache-Status"] == "MISS" and len(body) > 100_000
        deadline = time.monotonic() + 10
        while cache_bytes(run_dir / "cache") > 1024 * 1024 and time.monotonic() < deadline:
            time.sleep(0.2)  # nginx's cache manager removes the least recently used entries
        assert 0 < cache_bytes(run_dir / "cache") <= 1024 * 1024
        assert fetch(f"{base}/{DATABASE}/events?_n=0", "identity")[1]["X-Cache-Status"] == "MISS"  # evicted
        assert fetch(f"{base}/{DATABASE}/events?_n=11", "identity")[1]["X-Cache-Status"] == "HIT"  # kept


def without_timing(page):
    return re.sub(rb"Queries took [0-9.]+ms", b"", page)


def cache_bytes(folder):
    return sum(path.stat().st_blocks * 512 for path in Path(folder).rglob("*") if path.is_file())


def test_a_value_missing_from_the_config_is_named(tmp_path):
    template = tmp_path / "nginx.conf"
    template.write_text("listen @PORT@; proxy_cache_path @RUN_DIR@/cache max_size=@CACHE_LIMIT@;")
    with pytest.raises(ValueError, match="no value for @CACHE_LIMIT@"):
        nginx_config(8080, "127.0.0.1:8001", "/run", template)
    assert not re.search(r"@[A-Z_]+@", nginx_config(8080, "127.0.0.1:8001", "/run"))


@pytest.mark.parametrize("path", ["/", f"/{DATABASE}", f"/{DATABASE}/events", PERSON, f"/{DATABASE}/most_cited_works",
                                  f"/{DATABASE}/people.csv", f"/{DATABASE}/people.json", f"/{DATABASE}.db", "/-/search?q=Lora",
                                  "/-/metadata.json"])
def test_every_page_of_the_database_says_it_may_be_cached(site, path):
    response = site.get(path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "max-age=86400"


@pytest.mark.parametrize("path, expected", [
    ("/-/static/app.css?d59929", "public, max-age=31536000, immutable"),
    ("/-/static-plugins/datasette_vega/main.08f5d3d8.js", "public, max-age=31536000, immutable"),
    ("/-/static-plugins/datasette-leaflet/leaflet-v1.7.1.js", "public, max-age=31536000, immutable"),
    ("/-/static/table.js", "public, max-age=86400"),
    ("/site/site.css", "public, max-age=86400"),
])
def test_static_files_are_kept_long_when_their_url_names_a_version(site, path, expected):
    response = site.get(path)
    assert response.status_code == 200, path
    assert response.headers["cache-control"] == expected


def test_personal_and_live_answers_are_not_made_cacheable(site):
    assert site.get("/-/threads.json").headers.get("cache-control") is None
    assert site.get(PERSON, headers={"Cookie": "a=b"}).headers["cache-control"] == "private, no-store"
    assert "cache-control" not in site.get(f"/{DATABASE}/no_such_table").headers


def page_bodies(folder, plugins_dir, paths, template_dir=layout.TEMPLATES):
    async def bodies():
        datasette = Datasette(config_dir=folder, plugins_dir=str(plugins_dir), template_dir=str(template_dir),
                              static_mounts=[("site", str(layout.STATIC))])
        await datasette.invoke_startup()
        answers = {}
        for _ in range(2):  # the second round is answered from the caches
            for path in paths:
                response = await datasette.client.get(path)
                # Timings and the CSRF token differ between any two requests.
                answers[path] = (response.status_code,
                                 re.sub(r'Queries took [0-9.]+ms|"query_ms": [0-9.e-]+|csrftoken[^>]*', "", response.text))
        return answers

    return asyncio.run(bodies())


def test_the_cached_answers_change_no_page(built, tmp_path):
    """The schema, metadata and permission caches only remember: every page is the same without them."""
    without = tmp_path / "plugins"
    without.mkdir()
    for plugin in layout.PLUGINS.glob("*.py"):
        if plugin.name not in CACHE_PLUGINS:
            shutil.copy2(plugin, without)
    paths = ["/", f"/{DATABASE}", f"/{DATABASE}/events", f"/{DATABASE}/memberships?_facet=role&_facet=organization_id",
             PERSON, f"/{DATABASE}/organizations/por", f"/{DATABASE}/places/pulacayo", f"/{DATABASE}/footnotes/fn-22",
             f"/{DATABASE}/people.json?_search=Lechin", f"/{DATABASE}/citations.csv", f"/{DATABASE}/most_cited_works",
             f"/{DATABASE}/PEOPLE", f"/{DATABASE}/no_such_table", f"/{DATABASE}/people/nobody", "/-/search?q=Lechin",
             "/-/metadata.json", f"/{DATABASE}.json?sql=select+count(*)+from+events"]
    assert page_bodies(built, without, paths) == page_bodies(built, layout.PLUGINS, paths)


def test_datasette_asks_about_the_schema_only_once(site):
    """Before the caches, every home page asked SQLite 238 questions about tables, columns and permissions."""
    pages = ["/", f"/{DATABASE}", f"/{DATABASE}/events?_facet=classification", PERSON, "/-/search?q=Lora"]
    for path in pages:
        site.get(path)
    database = site.datasette.get_database(DATABASE)
    questions = []
    execute, execute_fn = database.execute, database.execute_fn

    async def asked(sql, *args, **kwargs):
        if re.search(r"sqlite_master|pragma", sql, re.I):
            questions.append(sql)
        return await execute(sql, *args, **kwargs)

    async def asked_fn(fn):
        if not fn.__qualname__.startswith("Database.execute."):
            questions.append(fn.__qualname__)  # table_columns, primary_keys, fts_table…
        return await execute_fn(fn)

    database.execute, database.execute_fn = asked, asked_fn
    try:
        for path in pages:
            assert site.get(path).status_code == 200, path
    finally:
        del database.execute, database.execute_fn
    assert questions == []


def test_permission_answers_are_bounded():
    plugin = module_from_file(layout.PLUGINS / "permission_cache.py")
    answers, MAX_ANSWERS = plugin.Answers(), plugin.MAX_ANSWERS
    for n in range(MAX_ANSWERS + 10):
        answers.remember(n, n)
    assert len(answers) == MAX_ANSWERS and 0 not in answers and MAX_ANSWERS + 9 in answers


def test_map_columns_are_the_cluster_map_plugins_answers(site):
    import datasette_cluster_map

    remembered = datasette_cluster_map.location_columns_from_columns  # map_columns.py, loaded by the site
    own = remembered.asks
    lists = [["id", "name", "latitude", "longitude"], ["Lat", "Lng", "x"], ["place_lat", "place_lon"],
             ["a_lat", "b_lat", "lon"], ["id", "name"], [], ["LATITUDE", "long"], ["latitude", "longitude"]]
    for columns in lists + lists:
        assert remembered(columns) == own(columns), columns
    answer = remembered(lists[0])
    answer.append("changed")  # a caller's change does not reach the remembered answer
    assert remembered(lists[0]) == ["latitude", "longitude"]


def test_table_pages_leave_out_only_the_derived_date_columns(site, package):
    from pipeline.package import derived_date_fields

    for resource in package["resources"]:
        table = resource["name"]
        derived = {d["name"] for f in resource["schema"]["fields"] if f.get("edtf") for d in derived_date_fields(package, f["name"])}
        page = site.get(f"/{DATABASE}/{table}?_size=20").text
        shown = re.findall(r'<th [^>]*data-column="([^"]+)"', page)
        data = site.json(f"/{DATABASE}/{table}.json?_size=20&_shape=objects")
        assert set(shown) == set(data["columns"]) - derived, table  # JSON keeps them
        assert set(data["columns"]) >= derived, table
        body = page[page.index("<tbody>"):page.index("</tbody>")]
        rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
        assert len(rows) == len(data["rows"]) and all(row.count("<td ") == len(shown) for row in rows), table


def test_table_cells_are_escaped_as_datasette_escapes_them(site):
    rows = site.json(f"/{DATABASE}/events.json?_shape=array&_size=max")
    quoted = next(r for r in rows if "'" in (r["summary"] or ""))
    page = site.get(f"/{DATABASE}/events?id={quoted['id']}").text
    assert f'<td class="col-summary type-str">{markupsafe.escape(quoted["summary"])}</td>' in page  # as Jinja escapes
    assert '<td class="col-end_date type-none">&nbsp;</td>' in site.get(f"/{DATABASE}/events?_size=100").text


def test_query_rows_are_the_rows_datasettes_own_template_writes(built, tmp_path):
    """site/templates/query.html writes its rows with `query_body` instead of Jinja's loop: the same cells,
    links and escaping as Datasette's query.html, for canned queries (links, Markup) and arbitrary SQL."""
    datasettes_own = tmp_path / "templates"
    shutil.copytree(layout.TEMPLATES, datasettes_own)
    (datasettes_own / "query.html").write_text('{% extends "default:query.html" %}')
    quoted = f"/{DATABASE}?sql=" + urllib.parse.quote("select id, summary, null as empty, '<b>&' as markup from events")
    paths = [f"/{DATABASE}/{name}" for name in ("most_cited_works", "members_on_date?organization=por&date=1952", "search_everything?q=Lora",
                                                 "person_profile?person=guillermo-lora")] + [quoted]

    def rows(pages):
        return {path: [re.sub(r"\s+", " ", row).strip() for row in re.findall(r"<tr>(.*?)</tr>", body[body.index("<tbody>"):], re.S)]
                for path, (status, body) in pages.items()}

    ours, datasettes = rows(page_bodies(built, layout.PLUGINS, paths)), rows(page_bodies(built, layout.PLUGINS, paths, datasettes_own))
    assert all(len(ours[path]) > 3 for path in paths)
    assert any('<a href="' in row for row in ours[paths[-2]]) and any("&lt;b&gt;&amp;" in row for row in ours[quoted])
    assert {path: [row.replace("> <", "><") for row in r] for path, r in ours.items()} == \
           {path: [row.replace("> <", "><") for row in r] for path, r in datasettes.items()}


def test_what_startup_built_is_frozen_once_per_process(built):
    """site/plugins/frozen_heap.py: after the startup hooks, full garbage collections no longer walk the
    startup objects; a second Datasette in the same process freezes nothing more (frozen objects in cycles are
    never freed; the count only falls as frozen objects are freed by reference counting)."""
    script = f"""
import asyncio, gc, sys
from pathlib import Path
sys.path.insert(0, {str(Path(__file__).parent)!r})
from conftest import Site
first = Site(Path({str(built)!r})).datasette
frozen = gc.get_freeze_count()
second = Site(Path({str(built)!r})).datasette
tracked = gc.get_objects()
print(frozen > 0, any(o is first for o in tracked), gc.get_freeze_count() <= frozen, any(o is second for o in tracked))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=layout.ROOT, timeout=120)
    assert result.stdout.split() == ["True", "False", "True", "True"], result.stderr[-2000:]


def deflate_stream(gzip_member):
    return gzip_member[10:-8]  # without gzip's 10-byte header and 8-byte trailer


def test_gzip_is_level_4_in_a_window_no_larger_than_the_body_and_decodes_to_the_same_answer(server):
    """compression.py: the same deflate stream as level 4 with zlib's full window, `Vary` on both
    encodings; a streamed CSV decodes to the plain one; a small answer is sent as it is."""
    compression = module_from_file(layout.PLUGINS / "compression.py")
    for path in [f"/{DATABASE}/events.json?_shape=array", f"/{DATABASE}/people.json?_shape=array&_size=3",
                 f"/{DATABASE}/citations.csv?_stream=on"]:
        status, packed_headers, packed = fetch(server + path, "gzip")
        _, plain_headers, plain = fetch(server + path, "identity")
        assert status == 200 and packed_headers["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain_headers
        assert "Accept-Encoding" in packed_headers["Vary"] and "Accept-Encoding" in plain_headers["Vary"], path
        assert gzip.decompress(packed) == plain, path
        if "_stream" not in path:
            assert int(packed_headers["Content-Length"]) == len(packed)
            assert deflate_stream(packed) == deflate_stream(gzip.compress(plain, compresslevel=4)), path
    assert [compression.window_bits(size) for size in (10, 9_000, 60_000)] == [9, 14, 15]
    status, headers, small = fetch(server + f"/{DATABASE}/people.json?_shape=array&_size=0", "gzip")
    assert status == 200 and small == b"[]" and "Content-Encoding" not in headers


def test_absolute_urls_are_the_ones_urljoin_gives(site):
    """url_strings.py joins strings only where urllib.parse.urljoin (Datasette's own method) answers the same."""
    from datasette.app import Datasette as DatasetteClass
    from datasette.utils import PrefixedUrlString
    from datasette.utils.asgi import Request

    paths = ["/", "/db/events.json?_next=9999-12-31%2Ccuban&_sort=start_date_order", "/db/events?classification=other",
             "//evil.example/x", "/a/../b", "/a/./b", "/a//b", "/a/b/..", "/.", "/a;p=1", "/x?", "/x#f", "/x?q=1#f", "/x?#",
             "/a\tb", "/a\nb", "/é/ü?x=ñ", "/a b?c d", "relative/x", "", "?q=1", "/%2e%2e/x", "/a/b/", "/-/search?q=Lora&x="]
    hosts = ["", "localhost", "127.0.0.1:8001", "example.org", "evil.com/x?", "[::1]:80", "a b", "h:99999", "UPPER.Example"]
    for scheme in ("http", "https"):
        for host in hosts:
            scope = {"type": "http", "scheme": scheme, "path": "/db/events", "query_string": b"classification=other",
                     "headers": [(b"Host", b"first.example"), (b"host", host.encode())]}  # Datasette takes the last
            request = Request(scope, None)
            for path in paths + [site.datasette.urls.path(p) for p in paths if p.startswith("/")]:
                expected = DatasetteClass.absolute_url(site.datasette, request, path)
                assert site.datasette.absolute_url(request, path) == expected, (scheme, host, path)
    url = PrefixedUrlString("/db/events")
    assert type(url.replace("events", "people")) is PrefixedUrlString and url.replace("events", "people") == "/db/people"
    assert [type(part) for part in url.split("/")] == [PrefixedUrlString] * 3 and url.startswith("/db") is True
    assert type(url + "?x=1") is PrefixedUrlString and url.__class__ is PrefixedUrlString
    assert url.maketrans("a", "b") == {97: 98}  # a static method stays static
