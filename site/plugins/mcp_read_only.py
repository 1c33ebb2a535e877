"""The MCP endpoint for AI assistants (/-/mcp, datasette-mcp, configured in site/metadata.yml) offers only
reading tools: the database is immutable and no canned query writes, so datasette-mcp's tool for writable
canned queries is withdrawn rather than offered and always refused. SQL goes through Datasette's
read-only execute, under the site's sql_time_limit_ms and max_returned_rows.
"""
from datasette import hookimpl
from mcp.server.mcpserver.exceptions import ToolError

WRITE_TOOL = "execute_writable_canned_query"


@hookimpl(trylast=True)  # after datasette-mcp has registered its tools
def register_mcp_tools(datasette, mcp):
    try:
        mcp.remove_tool(WRITE_TOOL)
    except ToolError:  # canned queries not enabled: the tool was never there
        pass
