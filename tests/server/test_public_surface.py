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
        assert [tool.name for tool in tools.tools] == ["list_datasets", "get_dataset", "query_dataset"]
        assert client.server_info is not None
        assert client.server_info.name == "genispace-mcp"
