"""The diagrams and the network files: the canned queries they draw, the drawings in a real browser (desktop and
phone), and the GEXF and GraphML exports read back with networkx. Expectations come from data/*.csv and the
built database; the named facts are the issue's: the 1954 split of the POR, Guillermo Lora's memberships, Juan
Lechín near Guillermo Lora, April 1952."""
import io
import os
import sqlite3
from collections import defaultdict
from urllib.parse import urlparse

import networkx as nx
import pytest

from conftest import DATABASE, VIEWPORTS, read_rows
from pipeline.edtf_dates import edtf_bounds

SHOTS = os.environ.get("CHARTS_SHOTS")  # a folder to keep the screenshots in, if set
LORA, LECHIN = "guillermo-lora", "juan-lechin"


def run(site, name, **params):
    response = site.get(f"/{DATABASE}/{name}.json", params={**params, "_shape": "array", "_size": "max"})
    assert response.status_code == 200, response.text[:500]
    return response.json()


def bounds(start, end):
    """A membership's earliest and latest day; an open side is open."""
    return edtf_bounds(start)[0] or "0000-01-01", edtf_bounds(end)[1] or "9999-12-31"


def two_steps(person):
    """{person id: step} within two steps of `person`, from the CSVs: shared organizations at overlapping times
    (undated memberships overlap), shared events."""
    links = defaultdict(set)
    by_organization = defaultdict(list)
    for m in read_rows("memberships"):
        by_organization[m["organization_id"]].append((m["person_id"], *bounds(m["start_date"], m["end_date"])))
    for members in by_organization.values():
        for a, a_start, a_end in members:
            for b, b_start, b_end in members:
                if a != b and a_start <= b_end and b_start <= a_end:
                    links[a].add(b)
    by_event = defaultdict(set)
    for p in read_rows("event_participants"):
        if p["person_id"]:
            by_event[p["event_id"]].add(p["person_id"])
    for people in by_event.values():
        for a in people:
            links[a] |= people - {a}
    steps = {person: 0}
    for step in (1, 2):
        for known in [k for k, s in steps.items() if s == step - 1]:
            for other in links[known]:
                steps.setdefault(other, step)
    return steps


# The canned queries the diagrams draw

def test_timeline_marks_place_every_event_by_its_bounds_and_filter(site):
    events = read_rows("events")
    rows = run(site, "timeline_marks", from_year="", to_year="", organization="", person="")
    assert sorted(r["event_id"] for r in rows) == sorted(e["id"] for e in events)
    for row in rows:
        event = next(e for e in events if e["id"] == row["event_id"])
        assert row["earliest"] == edtf_bounds(event["start_date"])[0]
        assert row["latest"] == edtf_bounds(event["end_date"] or event["start_date"])[1]
        single_day = row["earliest"] is not None and row["earliest"] == row["latest"]
        assert row["shape"] == ("undated" if row["earliest"] is None else "span" if not single_day
                                else "uncertain_day" if row["uncertain"] else "day")
    in_1952 = {r["event_id"] for r in run(site, "timeline_marks", from_year="1952", to_year="1952", organization="", person="")}
    assert in_1952 == {e["id"] for e in events
                       if not e["start_date"] or (edtf_bounds(e["start_date"])[0] <= "1952-12-31"
                                                  and edtf_bounds(e["end_date"] or e["start_date"])[1] >= "1952-01-01")}
    lora = {r["event_id"] for r in run(site, "timeline_marks", from_year="", to_year="", organization="", person=LORA)}
    assert lora == {p["event_id"] for p in read_rows("event_participants") if p["person_id"] == LORA}
    por = {r["event_id"] for r in run(site, "timeline_marks", from_year="", to_year="", organization="por", person="")}
    assert por == ({p["event_id"] for p in read_rows("event_participants") if p["organization_id"] == "por"}
                   | {r["event_id"] for r in read_rows("organization_relations")
                      if "por" in (r["organization_id"], r["other_organization_id"]) and r["event_id"]})
    order = {r["event_id"]: (r["earliest"] is None, r["earliest"] or "", r["event_id"]) for r in rows}  # undated last
    assert [r["event_id"] for r in rows] == sorted(order, key=order.get)
    both = [r["event_id"] for r in run(site, "timeline_marks", from_year="", to_year="", organization="por", person=LORA)]
    assert both and set(both) == lora & por and both == [i for i in (r["event_id"] for r in rows) if i in both]


def test_membership_gantt_says_what_the_texts_date(site):
    rows = {r["membership_id"]: r for r in run(site, "membership_gantt", person=LORA, organization="")}
    memberships = [m for m in read_rows("memberships") if m["person_id"] == LORA]
    assert set(rows) == {m["id"] for m in memberships}
    for m in memberships:
        expected = {(True, True): "dated", (True, False): "open_end", (False, True): "open_start",
                    (False, False): "undated"}[(bool(m["start_date"]), bool(m["end_date"]))]
        assert rows[m["id"]]["dating"] == expected, m["id"]
    assert len(run(site, "membership_gantt", person="", organization="")) == len(read_rows("memberships"))


def test_family_tree_holds_the_1954_split_of_the_por(site):
    splits = [r for r in read_rows("organization_relations")
              if r["relation"] == "split_from" and r["other_organization_id"] == "por" and r["start_date"].startswith("1954")]
    assert {r["organization_id"] for r in splits} >= {"por-lucha-obrera", "por-masas"}
    for organization in ("por", ""):
        rows = run(site, "organization_family_tree", organization=organization)
        arrows = {(r["earlier_id"], r["later_id"], r["relation_kind"], r["date"]) for r in rows}
        for split in splits:
            assert ("por", split["organization_id"], "split_from", split["start_date"]) in arrows
    whole = run(site, "organization_family_tree", organization="")
    assert {r["relation_id"] for r in run(site, "organization_family_tree", organization="por")} <= {r["relation_id"] for r in whole}
    # In date order, the undated last; on one date by organization name, then as the CSV lists them.
    position = {r["id"]: n for n, r in enumerate(read_rows("organization_relations"))}
    dates = {r["id"]: edtf_bounds(r["start_date"])[0] for r in read_rows("organization_relations")}
    for rows in (whole, run(site, "organization_family_tree", organization="por")):
        ids = [r["relation_id"] for r in rows]
        names = {r["relation_id"]: r["organization"] for r in rows}
        assert ids == sorted(ids, key=lambda i: (dates[i] is None, dates[i] or "", names[i], position[i]))


def test_person_network_is_everyone_within_two_steps(site):
    rows = run(site, "person_network", person=LORA)
    drawn = {}
    for r in rows:
        drawn[r["person_id"]] = r["person_step"]
        drawn[r["other_person_id"]] = r["other_person_step"]
        assert r["shared_organizations"] or r["shared_events"]
        assert min(r["person_step"], r["other_person_step"]) <= 1
    assert drawn == two_steps(LORA)
    assert drawn[LECHIN] <= 2


def test_person_network_says_every_shared_organization_and_event_in_name_order(site):
    """Each pair's reasons from the CSVs: an organization both belonged to at overlapping times ("(dates not given)"
    when no such pair of memberships is dated on either side), an event both took part in; each list in name order."""
    organizations = {o["id"]: o["name"] for o in read_rows("organizations")}
    events = {e["id"]: e["name"] for e in read_rows("events")}
    shared = defaultdict(dict)  # (a, b) -> {(kind, id): reason}
    memberships = read_rows("memberships")
    for m1 in memberships:
        for m2 in memberships:
            (a_start, a_end), (b_start, b_end) = bounds(m1["start_date"], m1["end_date"]), bounds(m2["start_date"], m2["end_date"])
            if m1["organization_id"] == m2["organization_id"] and m1["person_id"] < m2["person_id"] \
                    and a_start <= b_end and b_start <= a_end:
                undated = not (m1["start_date"] or m1["end_date"]) or not (m2["start_date"] or m2["end_date"])
                reason = organizations[m1["organization_id"]] + (" (dates not given)" if undated else "")
                key = ("organization", m1["organization_id"])
                pair = shared[m1["person_id"], m2["person_id"]]
                pair[key] = min(pair.get(key, reason), reason)
    by_event = defaultdict(set)
    for p in read_rows("event_participants"):
        if p["person_id"]:
            by_event[p["event_id"]].add(p["person_id"])
    for event, people in by_event.items():
        for a in people:
            for b in people:
                if a < b:
                    shared[a, b]["event", event] = events[event]
    steps = two_steps(LORA)
    expected = {pair: reasons for pair, reasons in shared.items()
                if all(p in steps for p in pair) and min(steps[p] for p in pair) <= 1}
    rows = run(site, "person_network", person=LORA)
    assert {(r["person_id"], r["other_person_id"]) for r in rows} == set(expected)
    for r in rows:
        reasons = expected[r["person_id"], r["other_person_id"]]
        for kind, column in (("organization", "shared_organizations"), ("event", "shared_events")):
            assert (r[column] or None) == ("; ".join(sorted(v for (k, _), v in reasons.items() if k == kind)) or None), r
        assert r["links"] == len(reasons)


# The network files

def nodes_and_edges(db):
    with sqlite3.connect(db) as conn:
        count = lambda table: conn.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: E731
        memberships = {r[0]: r[1:] for r in conn.execute("select id, start_date_earliest, end_date_latest from memberships")}
        relations = {r[0]: r[1:] for r in conn.execute("select id, start_date_earliest, end_date_latest from organization_relations")}
        cited = {(r[0], r[1]): r[2] for r in conn.execute(
            "select target_table, target_id, count(*) from citations group by target_table, target_id")}
        return count("people"), count("organizations"), memberships, relations, cited


@pytest.mark.parametrize("file_format, read", [("gexf", nx.read_gexf), ("graphml", nx.read_graphml)])
def test_network_files_carry_every_node_and_edge_with_dates_and_citations(site, site_db, file_format, read):
    people, organizations, memberships, relations, cited = nodes_and_edges(site_db)
    for name, node_count, edges, table in [("people-organizations", people + organizations, memberships, "memberships"),
                                           ("organizations", organizations, relations, "organization_relations")]:
        response = site.get(f"/-/networks/{name}.{file_format}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(f"application/{file_format}+xml")
        graph = read(io.BytesIO(response.content))
        assert graph.number_of_nodes() == node_count
        assert graph.number_of_edges() == len(edges)
        assert graph.is_directed() and graph.is_multigraph()
        seen = {}
        for _, _, data in graph.edges(data=True):
            seen[data["id"]] = data
        assert seen.keys() == edges.keys()
        for key, (start, end) in edges.items():
            assert seen[key].get("start") == start and seen[key].get("end") == end, key
            assert len(seen[key].get("citation_ids", "").split()) == cited.get((table, key), 0), key
    assert site.get("/-/networks/nothing.gexf").status_code == 404


def test_lora_and_the_por_are_linked_in_the_export(site):
    graph = nx.read_graphml(io.BytesIO(site.get("/-/networks/people-organizations.graphml").content))
    roles = {d["relation"] for _, _, d in graph.out_edges(f"people/{LORA}", data=True)}
    assert roles == {m["role"] for m in read_rows("memberships") if m["person_id"] == LORA}
    assert graph.nodes[f"people/{LORA}"]["page"] == f"/{DATABASE}/people/{LORA}"


# The drawings in a browser

@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, server):
    """A page at a desktop or phone size that fails the test on a script error or a request off this site."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.size = request.param
    requested, errors = [], []
    page.on("request", lambda r: requested.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []
    assert [u for u in requested if not u.startswith((server, "data:", "blob:"))] == []


def open_drawn(page, url, chart):
    page.goto(url)
    page.wait_for_selector(f"#{chart}[data-drawn]", timeout=20000)
    assert page.get_attribute(f"#{chart}", "data-drawn") == "true"
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        name = urlparse(url).path.strip("/").replace("/", "-") or "home"
        page.screenshot(path=os.path.join(SHOTS, f"{name}-{chart}-{page.size}.png"), full_page=True)


def mark_labels(page, chart):
    return page.eval_on_selector_all(f"#{chart} svg path[aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")


def data_link(page, query):
    link = page.locator(f"p.chart-data a[href*='/{DATABASE}/{query}']").first
    assert link.is_visible()
    return link.get_attribute("href")


def test_timeline_shows_april_1952_and_links_each_mark(page, server):
    april = [e for e in read_rows("events") if (edtf_bounds(e["start_date"])[0] or "").startswith("1952-04")]
    assert april
    open_drawn(page, f"{server}/timeline?from_year=1952&to_year=1952", "timeline")
    labels = mark_labels(page, "timeline")
    for event in april:
        assert any(label.startswith(f"{event['name']}, {event['start_date']}") for label in labels), event["id"]
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[page.size][0]
    assert "from_year=1952" in data_link(page, "timeline_marks")
    target = next(e for e in april if e["id"] == "cob-founding-1952")
    page.locator(f"#timeline svg path[aria-label^='{target['name']}']").first.click()
    page.wait_for_url(f"**/{DATABASE}/events/{target['id']}")


def test_memberships_of_lora_are_spans_never_certain_where_undated(page, server):
    memberships = [m for m in read_rows("memberships") if m["person_id"] == LORA]
    organizations = {o["id"]: o["name"] for o in read_rows("organizations")}
    open_drawn(page, f"{server}/memberships?person={LORA}", "memberships")
    labels = mark_labels(page, "memberships")
    for m in memberships:
        prefix = f"Guillermo Lora, {organizations[m['organization_id']]}, {m['role'].replace('_', ' ')}: "
        mine = [label for label in labels if label.startswith(prefix)]
        open_range = [label for label in mine if label.endswith("(the range the texts leave open)")]
        solid = [label for label in mine if label not in open_range]
        assert bool(solid) == bool(m["start_date"] or m["end_date"]), m["id"]  # a solid bar only for what is dated
        assert bool(open_range) == (not m["start_date"] or not m["end_date"]), m["id"]  # an open band for what is not
    assert data_link(page, "membership_gantt")


def test_person_page_carries_the_membership_spans(page, server):
    memberships = [m for m in read_rows("memberships") if m["person_id"] == LORA]
    open_drawn(page, f"{server}/{DATABASE}/people/{LORA}", "memberships-people")
    solid = [label for label in mark_labels(page, "memberships-people") if not label.endswith("leave open)")]
    assert len(solid) == sum(1 for m in memberships if m["start_date"] or m["end_date"])
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[page.size][0]
    assert page.locator(f"a[href='/network?person={LORA}']").count() == 1


def graph_data(page, chart, what):
    return page.evaluate(f"siteCharts.graphs[{chart!r}].{what}().map(e => e.data())")


def test_family_tree_draws_the_1954_split_of_the_por(page, server):
    splits = {r["organization_id"]: r["start_date"] for r in read_rows("organization_relations")
              if r["relation"] == "split_from" and r["other_organization_id"] == "por" and r["start_date"].startswith("1954")}
    open_drawn(page, f"{server}/family-tree?organization=por", "family-tree")
    nodes = {n["id"]: n for n in graph_data(page, "family-tree", "nodes")}
    edges = graph_data(page, "family-tree", "edges")
    for child in ("por-lucha-obrera", "por-masas"):
        assert any(e["source"] == "por" and e["target"] == child and e["relation"] == "split_from"
                   and e["date"] == splits[child] for e in edges), child
        assert nodes[child]["url"] == f"/{DATABASE}/organizations/{child}"
    # Every node is drawn inside the canvas, at a readable zoom.
    canvas = page.locator("#family-tree .graph-canvas").bounding_box()
    for position in page.evaluate("siteCharts.graphs['family-tree'].nodes().map(n => n.renderedPosition())"):
        assert 0 <= position["x"] <= canvas["width"] and 0 <= position["y"] <= canvas["height"]
    assert page.evaluate("siteCharts.graphs['family-tree'].zoom()") >= 0.8
    assert data_link(page, "organization_family_tree")
    if page.size == "desktop":  # a box is a link to the organization's page
        point = page.evaluate("siteCharts.graphs['family-tree'].getElementById('por-masas').renderedPosition()")
        page.mouse.click(canvas["x"] + point["x"], canvas["y"] + point["y"])
        page.wait_for_url(f"**/{DATABASE}/organizations/por-masas")


def test_network_puts_lechin_within_two_steps_of_lora_and_says_why(page, server):
    expected = two_steps(LORA)
    open_drawn(page, f"{server}/network?person={LORA}", "network")
    nodes = {n["id"]: n["step"] for n in graph_data(page, "network", "nodes")}
    assert nodes == expected
    assert nodes[LECHIN] <= 2
    shared_events = {p["event_id"] for p in read_rows("event_participants") if p["person_id"] == LORA} & {
        p["event_id"] for p in read_rows("event_participants") if p["person_id"] == LECHIN}
    names = {e["id"]: e["name"] for e in read_rows("events")}
    link = next(e for e in graph_data(page, "network", "edges") if {e["source"], e["target"]} == {LORA, LECHIN})
    assert all(names[event] in link["why"] for event in shared_events) and link["why"]
    assert data_link(page, "person_network")
    page.evaluate(f"() => {{ siteCharts.graphs['network'].getElementById('{link['id']}').emit('tap'); }}")
    assert "Juan Lechín" in page.locator("#network-caption").inner_text()


def test_old_chart_opens_with_its_date_axis_without_a_fragment(page, server):
    page.goto(f"{server}/{DATABASE}/timeline_by_classification")
    page.wait_for_selector(".vega-embed canvas, .vega-embed svg", timeout=20000)
    assert "g.x_type=temporal" in page.evaluate("location.hash")
    assert page.locator("select[name=x_column]").input_value() == "date"
