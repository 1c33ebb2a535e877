"""The MCP endpoint for AI assistants (/-/mcp): the MCP Python SDK's client against the served site lists
the tools, reads the schema and the canned queries with their descriptions and parameters, runs
person_profile for Guillermo Lora, and is refused a write and a query over the time limit."""
import asyncio
import json

import pytest
from mcp import Client

from conftest import DATABASE, ROOT, read_rows
from pipeline.site import read_queries

READ_TOOLS = {"list_databases", "get_database_schema", "execute_sql", "list_canned_queries", "execute_canned_query"}


def session(server, calls):
    """Open one MCP session on the site, list its tools, make `calls` [(tool, arguments)], return (tools, results)."""
    async def run():
        async with Client(f"{server}/-/mcp") as client:
            tools = {tool.name: tool for tool in (await client.list_tools()).tools}
            return tools, [await client.call_tool(name, arguments) for name, arguments in calls]
    return asyncio.run(run())


@pytest.fixture(scope="module")
def answers(server):
    settings = json.loads((ROOT / "site" / "settings.json").read_text())
    slow = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    calls = {
        "databases": ("list_databases", {}),
        "schema": ("get_database_schema", {"database": DATABASE}),
        "queries": ("list_canned_queries", {"database": DATABASE}),
        "profile": ("execute_canned_query", {"database": DATABASE, "query": "person_profile", "parameters": {"person": "guillermo-lora"}}),
        "sql": ("execute_sql", {"database": DATABASE, "sql": "select id, name from people order by id"}),
        "too_many": ("execute_sql", {"database": DATABASE, "sql": "with recursive n(i) as (select 1 union all select i + 1 from n "
                                     f"where i < {settings['max_returned_rows'] * 2}) select i from n"}),
        "delete": ("execute_sql", {"database": DATABASE, "sql": "delete from people"}),
        "attach": ("execute_sql", {"database": DATABASE, "sql": "attach database ':memory:' as scratch"}),
        "slow": ("execute_sql", {"database": DATABASE, "sql": slow}),
        "write_query": ("execute_writable_canned_query", {"database": DATABASE, "query": "person_profile"}),
        "after": ("execute_sql", {"database": DATABASE, "sql": "select count(*) as n from people"}),
    }
    tools, results = session(server, list(calls.values()))
    return {"tools": tools, **dict(zip(calls, results)), "settings": settings}


def test_the_tools_are_read_only(answers):
    assert set(answers["tools"]) == READ_TOOLS
    assert all(tool.annotations and tool.annotations.read_only_hint for tool in answers["tools"].values())
    assert answers["databases"].structured_content["databases"] == [DATABASE]


def test_the_schema_names_every_table(answers, package):
    schema = answers["schema"].structured_content["schema"]
    assert all(f"CREATE TABLE [{r['name']}]" in schema or f'CREATE TABLE "{r["name"]}"' in schema for r in package["resources"])


def test_canned_queries_are_listed_with_descriptions_and_parameters(answers):
    expected = read_queries(ROOT / "queries", [])
    listed = {q["name"]: q for q in answers["queries"].structured_content["queries"]}
    assert set(listed) == set(expected)
    for name, query in expected.items():
        assert listed[name]["description"] == query.header["description"]
        assert listed[name]["parameters"] == list(query.parameters) and listed[name]["write"] is False


def test_person_profile_for_guillermo_lora(answers):
    result = answers["profile"]
    assert not result.is_error
    rows = result.structured_content["rows"]
    organizations = {r["id"]: r["name"] for r in read_rows("organizations")}
    memberships = [m for m in read_rows("memberships") if m["person_id"] == "guillermo-lora"]
    listed = [(r["link_id"], r["role"]) for r in rows if r["section"] == "Memberships"]
    assert sorted(listed) == sorted((m["organization_id"], m["role"]) for m in memberships)
    assert {r["name"] for r in rows if r["section"] == "Memberships"} == {organizations[m["organization_id"]] for m in memberships}


def test_sql_answers_under_the_sites_row_limit(answers):
    assert [r["id"] for r in answers["sql"].structured_content["rows"]] == sorted(r["id"] for r in read_rows("people"))
    capped = answers["too_many"].structured_content
    assert len(capped["rows"]) == answers["settings"]["max_returned_rows"] and capped["truncated"] is True


@pytest.mark.parametrize("call, message", [
    ("delete", "Statement must be a SELECT"),
    ("attach", "Statement must be a SELECT"),
    ("slow", "exceeded the configured time limit"),
    ("write_query", "Unknown tool"),
])
def test_writes_and_runaway_queries_are_refused(answers, call, message):
    result = answers[call]
    assert result.is_error and message in result.content[0].text, result.content
    assert answers["after"].structured_content["rows"] == [{"n": len(read_rows("people"))}]
