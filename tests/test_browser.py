"""The site in a real browser: Playwright drives Debian's chromium against `datasette serve .` on 127.0.0.1."""
from urllib.parse import urlparse

import pytest

from conftest import DATABASE, ROOT, VIEWPORTS, read_rows
from pipeline import layout
from pipeline.site import read_queries

TILE_HOSTS = ("tile.openstreetmap.org",)  # map tiles are out of reach here; everything else must be local


def is_local_or_tile(url, server):
    return url.startswith((server, "data:")) or (urlparse(url).hostname or "").endswith(TILE_HOSTS)


@pytest.fixture
def page(browser, server):
    """A page that records every URL it requests, checked for strangers after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    yield page
    context.close()
    foreign = [u for u in requested if not is_local_or_tile(u, server)]
    assert foreign == [], foreign


def test_chart_link_draws_a_chart(page, server):
    page.goto(f"{server}/{DATABASE}/events_per_year#g.mark=bar&g.x_column=year&g.x_type=ordinal&g.y_column=events&g.y_type=quantitative")
    page.wait_for_selector("canvas", timeout=15000)
    box = page.locator("canvas").first.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
    assert page.locator("select").first.is_visible()


def test_map_shows_markers_without_tiles(page, server):
    page.goto(f"{server}/{DATABASE}/places")
    page.wait_for_selector(".leaflet-marker-icon", timeout=15000)
    assert page.locator(".leaflet-marker-icon").count() >= 3


def test_events_map_query_puts_events_on_the_map(page, server):
    page.goto(f"{server}/{DATABASE}/events_map")
    page.wait_for_selector(".leaflet-marker-icon", timeout=15000)
    assert page.locator(".leaflet-marker-icon").count() >= 3


def test_search_box_finds_lechin_without_the_accent(page, server):
    page.goto(f"{server}/{DATABASE}/people")
    page.fill("input[name=_search]", "Lechin")
    page.press("input[name=_search]", "Enter")
    page.wait_for_url("**_search=Lechin**")
    assert page.locator("table.rows-and-columns td", has_text="Juan Lechín").count() >= 1


def test_search_all_finds_lechin(page, server):
    page.goto(f"{server}/-/search?q=Лечин")
    page.wait_for_selector("text=Juan Lechín", timeout=15000)


READING_PAGES = [("people", "guillermo-lora", "name"), ("organizations", "por", "name"), ("events", "cob-founding-1952", "name"),
                 ("places", "pulacayo", "name"), ("sources", "lora-1978-t3", "title"), ("footnotes", "fn-22", "id")]


@pytest.mark.parametrize("size", VIEWPORTS)
@pytest.mark.parametrize("table, key, label", READING_PAGES, ids=[t for t, _, _ in READING_PAGES])
def test_reading_page_is_titled_by_its_name_starts_on_the_first_screen_and_links_names(browser, server, table, key, label, size):
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.goto(f"{server}/{DATABASE}/{table}/{key}")
    name = next(r[label] for r in read_rows(table) if r["id"] == key)
    assert page.locator("h1").inner_text().strip() == name
    assert page.title().startswith(name)
    card = page.locator("dl.card").bounding_box()
    assert card and card["y"] < height  # the facts start on the first screen
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    links = page.locator(f"section.profile-section a[href^='/{DATABASE}/']")
    assert links.count() >= 1
    assert "CC BY 4.0" in page.locator("p.license").inner_text()
    assert f"/{DATABASE}/{table}/{key}" in page.locator("p.citation").inner_text()
    if size == "phone":  # each value sits under its own label
        first = page.locator("table.profile td[data-label]").first
        label_text = first.evaluate("e => getComputedStyle(e, ':before').content")
        assert label_text.strip('"') == first.get_attribute("data-label")
    page.screenshot(path=str(ROOT / "tests" / "screenshots" / f"{table}-{size}.png"), full_page=False)
    context.close()


def test_person_page_lists_every_membership_with_its_organization_linked(page, server):
    page.goto(f"{server}/{DATABASE}/people/guillermo-lora")
    section = page.locator("section.profile-section", has_text="Memberships")
    memberships = [m for m in read_rows("memberships") if m["person_id"] == "guillermo-lora"]
    assert section.locator("tbody tr").count() == len(memberships)
    assert section.locator(f"a[href='/{DATABASE}/organizations/por']").count() >= 1


def test_foreign_keys_on_a_reading_page_show_labels(page, server):
    event = next(e for e in read_rows("events") if e["place_id"])
    place = next(p for p in read_rows("places") if p["id"] == event["place_id"])
    page.goto(f"{server}/{DATABASE}/events/{event['id']}")
    link = page.locator(f"dl.card a[href='/{DATABASE}/places/{place['id']}']")
    assert link.inner_text() == place["name"]


def test_table_page_shows_rows_on_the_first_screen(page, server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/{DATABASE}/events")
    first_row = page.locator("table.rows-and-columns tbody tr").first.bounding_box()
    assert first_row and first_row["y"] < 900
    assert not page.locator("table.rows-and-columns th.col-start_date_earliest").is_visible()


def test_canned_query_with_parameters_renders_form_and_results(page, server):
    page.goto(f"{server}/{DATABASE}/members_of_both")
    page.fill("input[name=first]", "por")
    page.fill("input[name=second]", "mnr")
    page.locator("input[type=submit]").first.click()
    page.wait_for_url("**second=mnr**")
    assert page.locator("td", has_text="Edwin Möller").count() == 1


def test_home_page_lists_questions_and_charts(page, server):
    page.goto(server)
    for text in ("Questions, one click each", "Events per year", "The POR's lineage"):
        assert page.locator(f"text={text}").first.is_visible()
    page.screenshot(path=str(ROOT / "tests" / "screenshots" / "home.png"), full_page=True)


def test_search_page_puts_the_named_record_first_and_links_it(browser, server):
    for width, height in VIEWPORTS.values():
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.goto(f"{server}/")
        page.fill("form.home-search input[name=q]", "Pulacayo Thesis")
        page.press("form.home-search input[name=q]", "Enter")
        page.wait_for_selector("ul.search-results a", timeout=15000)
        first = page.locator("ul.search-results a").first
        assert first.get_attribute("href") == f"/{DATABASE}/events/pulacayo-theses-1946"
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        first.click()
        page.wait_for_url(f"**/events/pulacayo-theses-1946")
        context.close()


QUERY_EXAMPLES = {name: query.example_path(DATABASE) for name, query in read_queries(layout.QUERIES, []).items()}


@pytest.mark.parametrize("name", sorted(QUERY_EXAMPLES))
def test_canned_query_pages_fit_a_phone(browser, server, name):
    """Opened from the home page's links (with their examples), a query page does not scroll sideways on a
    390 px phone: the SQL is hidden, a wide answer scrolls inside its own box, and each parameter's
    name is shown whole above its box."""
    example = QUERY_EXAMPLES[name]
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{server}{example}")
    assert page.locator("h1").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    for label in page.locator("form.sql p > label").all():
        box, field = label.bounding_box(), page.locator(f"#{label.get_attribute('for')}").bounding_box()
        assert label.evaluate("l => l.scrollWidth <= l.clientWidth"), (name, label.inner_text())
        assert box["y"] + box["height"] <= field["y"] + 1, (name, label.inner_text())  # above, not beside, its box
    context.close()


@pytest.mark.parametrize("path", [f"/{DATABASE}/events", f"/{DATABASE}/people", f"/{DATABASE}/citations", "/-/search?q=Lora", "/"])
def test_table_search_and_home_pages_fit_a_phone(browser, server, path):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(f"{server}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    if "/-/search" not in path and path != "/":
        first_row = page.locator("table.rows-and-columns tbody tr").first.bounding_box()
        assert first_row and first_row["y"] < 844 * 2, path  # the rows start within two phone screens
    context.close()
