"""The dataset's networks as files for network tools (Gephi, networkx, Cytoscape, R's igraph):

    /-/networks/people-organizations.gexf  .graphml   people and organizations, an edge per membership
    /-/networks/organizations.gexf         .graphml   organizations, an edge per organization relation

Every row is there: a node for every person and organization (node id `people/<id>`, `organizations/<id>`, with
its page), an edge for every membership or relation (parallel edges kept: a person can be a member and a leader of
one party). Dates are time intervals: `start` and `end` (GEXF's dynamic mode) are the earliest and latest ISO day
the EDTF date can mean, left open where the texts give none, beside the EDTF strings themselves; each edge carries
its citations (the readable references and the citation ids). Built with networkx from the served, immutable
database, once per file.
"""
import io

import networkx as nx
from datasette import hookimpl
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound, Response

INTERNAL = "_internal"
FORMATS = {"gexf": ("application/gexf+xml", nx.write_gexf), "graphml": ("application/graphml+xml", nx.write_graphml)}

PEOPLE = """select 'people/' || id as node, name as label, 'person' as kind, 'people' as table_name, id as record_id,
  birth_date_earliest as start, death_date_latest as "end", birth_date as start_date, death_date as end_date, other_names
  from people order by id"""
ORGANIZATIONS = """select 'organizations/' || id as node, name as label, 'organization' as kind, 'organizations' as table_name,
  id as record_id, abbreviation, classification, country, founding_date_earliest as start, dissolution_date_latest as "end",
  founding_date as start_date, dissolution_date as end_date
  from organizations order by id"""
CITED = """(select group_concat(reference, '; ') from citation_references r where r.target_table = '{table}' and r.target_id = x.id)
  as citations, (select group_concat(id, ' ') from citation_references r where r.target_table = '{table}' and r.target_id = x.id)
  as citation_ids"""
MEMBERSHIPS = f"""select x.id, 'people/' || x.person_id as source, 'organizations/' || x.organization_id as target,
  x.role as relation, x.start_date, x.end_date, x.end_reason, x.note,
  x.start_date_earliest as start, x.end_date_latest as "end", {CITED.format(table="memberships")}
  from memberships x order by x.id"""
RELATIONS = f"""select x.id, 'organizations/' || x.organization_id as source, 'organizations/' || x.other_organization_id as target,
  x.relation, x.start_date, x.end_date, x.event_id, x.note,
  x.start_date_earliest as start, x.end_date_latest as "end", {CITED.format(table="organization_relations")}
  from organization_relations x order by x.id"""
NETWORKS = {
    "people-organizations": {"nodes": [PEOPLE, ORGANIZATIONS], "edges": MEMBERSHIPS,
                             "description": "People and organizations; an edge per membership (role, EDTF dates, citations)."},
    "organizations": {"nodes": [ORGANIZATIONS], "edges": RELATIONS,
                      "description": "Organizations; an edge per relation (split_from, entered, faction_of..., EDTF dates, citations)."},
}


def attributes(row):
    """A row's values as graph attributes: the empty left out (GEXF and GraphML have no null)."""
    return {k: v for k, v in row.items() if v is not None and v != ""}


def network_graph(name, node_rows, edge_rows, license=""):
    """A directed multigraph of the rows: nodes keyed by table/id, edges keyed by their row id."""
    graph = nx.MultiDiGraph(name=name, description=NETWORKS[name]["description"], license=license)
    for row in node_rows:
        values = attributes(row)
        graph.add_node(values.pop("node"), **values)
    for row in edge_rows:
        values = attributes(row)
        source, target, key = values.pop("source"), values.pop("target"), values["id"]
        graph.add_edge(source, target, key=key, label=values.get("relation", ""), **values)
    return graph


def serialized(graph, file_format):
    buffer = io.BytesIO()
    FORMATS[file_format][1](graph, buffer)
    return buffer.getvalue()


_files = {}  # (database, name, format) -> bytes; at most len(NETWORKS) * len(FORMATS) per database


async def network_file(datasette, request):
    name, file_format = request.url_vars["name"], request.url_vars["format"]
    if name not in NETWORKS or file_format not in FORMATS:
        raise NotFound(f"No network file {name}.{file_format}; there are " + ", ".join(
            f"{n}.{f}" for n in NETWORKS for f in FORMATS))
    database = next(d for d in datasette.databases if d != INTERNAL)
    key = (database, name, file_format)
    if key not in _files:
        db = datasette.get_database(database)
        nodes = [{**dict(r), "page": f"{datasette.urls.table(database, r['table_name'])}/{tilde_encode(r['record_id'])}"}
                 for sql in NETWORKS[name]["nodes"] for r in (await db.execute(sql)).rows]
        edges = [dict(r) for r in (await db.execute(NETWORKS[name]["edges"])).rows]
        _files[key] = serialized(network_graph(name, nodes, edges, datasette.metadata("license") or ""), file_format)
    return Response(_files[key], content_type=FORMATS[file_format][0],
                    headers={"content-disposition": f'attachment; filename="bolivian-trotskyism-{name}.{file_format}"'})


@hookimpl
def register_routes():
    return [(r"^/-/networks/(?P<name>[a-z-]+)\.(?P<format>gexf|graphml)$", network_file)]
