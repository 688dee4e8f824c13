"""The package's public surface: what `genispace_mcp` exports, lazily, and the embedding API."""

from __future__ import annotations

import subprocess
import sys

from mcp.client import Client

import genispace_mcp
from genispace_mcp.server.settings import Settings


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert genispace_mcp.__all__ == sorted(genispace_mcp.__all__)
    for name in genispace_mcp.__all__:
        assert getattr(genispace_mcp, name) is not None
    assert issubclass(genispace_mcp.NotFoundError, genispace_mcp.GeniSpaceError)


def test_importing_the_client_does_not_import_the_server() -> None:
    code = "import sys, genispace_mcp.client; print('mcp.server' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


async def test_create_server_is_embeddable_with_the_in_memory_client() -> None:
    server = genispace_mcp.create_server(Settings(api_key="sk-unused", toolsets=("datasets",)))
    async with Client(server) as client:
        tools = await client.list_tools()
        assert [tool.name for tool in tools.tools] == [
            "list_datasets",
            "get_dataset",
            "query_dataset",
        ]
        assert client.server_info is not None
        assert client.server_info.name == "genispace-mcp"


def test_serving_tools_list_does_not_load_the_http_client() -> None:
    # A tools/list (what clients do first) must not wait for httpx or the GeniSpace client.
    code = (
        "import sys, anyio\n"
        "from genispace_mcp.server import create_server\n"
        "from genispace_mcp.server.settings import Settings\n"
        "server = create_server(Settings(api_key='sk-unused', toolsets=('all',)))\n"
        "assert len(anyio.run(server.list_tools)) == 32\n"
        "print(sorted(name for name in ('httpx', 'genispace_mcp.client') if name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_readme_tool_table_lists_every_tool() -> None:
    from genispace_mcp.server import tool_table
    from genispace_mcp.server.toolsets import ALL_TOOLS

    table = tool_table()
    for name in ALL_TOOLS:
        assert f"| `{name}` |" in table
    assert "| agents (default) | `list_agents` |" in table
    assert "destructive" in table.split("`delete_agent`")[1].split("\n")[0]
