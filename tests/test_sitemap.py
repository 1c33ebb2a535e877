"""sitemap.xml lists every reading page, each answers on a served site, and robots.txt keeps crawlers
off arbitrary SQL, facets, sort orders and the JSON/CSV variants."""
import json
import re
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

from conftest import DATABASE, ROOT, read_rows
from pipeline.package import load_package

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def sitemap_urls(text):
    return [loc.text for loc in ET.fromstring(text).iter(f"{SITEMAP}loc")]


def sitemap_paths(site):
    response = site.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    return [urllib.parse.urlsplit(url).path for url in sitemap_urls(response.text)]


def test_sitemap_lists_every_person_and_organization(site):
    paths = sitemap_paths(site)
    assert len(paths) == len(set(paths))
    for table in ("people", "organizations"):
        listed = [p for p in paths if p.startswith(f"/{DATABASE}/{table}/")]
        [count] = site.rows(f"select count(*) as n from {table}")
        assert len(listed) == count["n"], table
        assert {p.rsplit("/", 1)[1] for p in listed} == {row["id"] for row in read_rows(table)}


def test_sitemap_lists_the_home_page_and_every_reading_page(site):
    package = load_package(ROOT / "data" / "datapackage.json")
    expected = {"/"} | {f"/{DATABASE}/{r['name']}/{row['id']}" for r in package["resources"] if "schemaOrgType" in r
                        for row in read_rows(r["name"])}
    assert set(sitemap_paths(site)) == expected


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return url, response.status
    except urllib.error.HTTPError as error:
        return url, error.code


def test_every_sitemap_url_answers_on_a_served_site(server):
    with urllib.request.urlopen(server + "/sitemap.xml") as response:
        urls = sitemap_urls(response.read())
    assert all(url.startswith(server + "/") for url in urls)
    with ThreadPoolExecutor(max_workers=3) as pool:
        failed = [(url, code) for url, code in pool.map(status, urls) if code != 200]
    assert not failed, failed[:10]


def disallowed(rules, path):
    """Whether a robots.txt Disallow rule matches the path, as the major crawlers read them (`*` any
    characters, `$` the end)."""
    for rule in rules:
        pattern = "".join(".*" if c == "*" else "$" if c == "$" else re.escape(c) for c in rule)
        if re.match(pattern, path):
            return True
    return False


def test_robots_keeps_crawlers_off_sql_facets_and_variants(server, site):
    with urllib.request.urlopen(server + "/robots.txt") as response:
        lines = response.read().decode().splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {server}/sitemap.xml" in lines
    rules = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")]
    person = read_rows("people")[0]["id"]
    kept_off = [
        f"/{DATABASE}?sql=select+*+from+people",
        f"/{DATABASE}.json?sql=select+1&_shape=array",
        f"/{DATABASE}/events?classification=founding&_facet=place_id",
        f"/{DATABASE}/events?_facet=classification",
        f"/{DATABASE}/people?_sort=name",
        f"/{DATABASE}/people?_sort_desc=name",
        f"/{DATABASE}/people?_search=Lora",
        f"/{DATABASE}/people.json",
        f"/{DATABASE}/people.csv?_stream=on",
        f"/{DATABASE}/people/{person}.json",
        "/-/search?q=Lora",
    ]
    for path in kept_off:
        assert disallowed(rules, path), path
    for path in sitemap_paths(site):
        assert not disallowed(rules, path), path


def readme_tool_paths():
    """The site paths of the README's "Use it from your tools" examples."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from your tools", 1)[1].split("\n## ", 1)[0]
    return sorted(set(re.findall(r"http://127\.0\.0\.1:8001(/[^\s`'\")]*)", section)))


def test_readme_tool_examples_answer_on_a_served_site(server):
    paths = readme_tool_paths()
    assert {"/-/reconcile", "/-/mcp", "/-/networks/people-organizations.gexf"} <= set(paths)
    for path in paths:
        if path == "/-/mcp":  # an MCP client's first request
            body = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26",' \
                   b'"capabilities":{},"clientInfo":{"name":"test","version":"1"}}}'
            request = urllib.request.Request(server + path, data=body, method="POST", headers={
                "content-type": "application/json", "accept": "application/json, text/event-stream"})
            with urllib.request.urlopen(request, timeout=30) as response:
                assert b'"result"' in response.read(), path
            continue
        assert status(server + path) == (server + path, 200)
    reconciled = urllib.request.urlopen(server + "/-/reconcile?" + urllib.parse.urlencode(
        {"queries": '{"q0":{"query":"Lechin","type":"Person"}}'}), timeout=30)
    assert json.load(reconciled)["q0"]["result"][0]["id"] == "juan-lechin"
