"""A reader who follows links from the home page never meets an error page."""
import collections
import re
import urllib.parse

from conftest import DATABASE, read_rows

ORIGIN = "http://localhost"
LINK = re.compile(r'(?:href|src)="([^"#]*)')
# Links that only re-order, re-facet or page through a table the crawl already reaches multiply without end;
# the crawl follows one of each kind of page, and every link the reading pages, queries and tables show.
VARIANTS = ("_sort", "_sort_desc", "_facet", "_next", "_size", "_hide_sql", "_show_sql", "_trace")
LIMIT = 2000


def same_site_links(page_url, text):
    for href in LINK.findall(text):
        url = urllib.parse.urljoin(page_url, href.replace("&amp;", "&"))
        if url.startswith(ORIGIN + "/"):
            yield url[len(ORIGIN):]


def test_a_crawl_from_the_home_page_meets_no_error(site):
    seen, queue, failures = {"/"}, collections.deque(["/"]), []
    kinds = collections.Counter()
    while queue and len(seen) < LIMIT:
        path = queue.popleft()
        response = site.get(path)
        kinds[response.status_code] += 1
        if response.status_code >= 400:
            failures.append((path, response.status_code))
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for link in same_site_links(ORIGIN + path, response.text):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
            if link not in seen and not any(k in query for k in VARIANTS):
                seen.add(link)
                queue.append(link)
    assert failures == [], failures[:20]
    people = {f"/{DATABASE}/people/{p['id']}" for p in read_rows("people")}
    assert people <= seen, sorted(people - seen)[:5]  # every person's page is reachable by links
