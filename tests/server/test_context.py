"""Context: no network before the first request, one client per lifespan, the per-request hook."""

from __future__ import annotations

import httpx
import pytest
from mcp.client import Client

from genispace_mcp.client import GeniSpace
from genispace_mcp.server import create_server
from genispace_mcp.server.context import current_client, use_client
from genispace_mcp.server.settings import Settings


class Recorder:
    """An httpx transport that records each request and answers a fixed profile."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"id": "usr_1", "email": "a@example.com"})


def client_with(recorder: Recorder, key: str = "sk-test") -> GeniSpace:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    return GeniSpace(api_key=key, base_url="http://genispace.test/v1", http_client=http)


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_no_network_call_before_a_tool_needs_one(mode: str) -> None:
    recorder = Recorder()
    server = create_server(Settings(), client=client_with(recorder))
    async with Client(server, mode=mode) as client:
        await client.list_tools()
        await client.list_resource_templates()
        await client.list_prompts()
        assert recorder.requests == []
        result = await client.call_tool("whoami", {})
    assert not result.is_error
    assert [request.url.path for request in recorder.requests] == ["/v1/users/me"]


async def test_missing_key_answers_with_the_variable_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GENISPACE_API_KEY", raising=False)
    server = create_server(Settings(base_url="http://127.0.0.1:9/v1"))
    async with Client(server) as client:
        result = await client.call_tool("whoami", {})
    assert result.is_error
    assert result.structured_content is None
    assert "GENISPACE_API_KEY" in result.content[0].text  # type: ignore[union-attr]


async def test_a_per_request_client_overrides_the_connection_one() -> None:
    shared, tenant = Recorder(), Recorder()
    server = create_server(Settings(), client=client_with(shared))
    tenant_client = client_with(tenant, key="sk-tenant")

    async def per_tenant(ctx, call_next):  # what multi-tenant HTTP installs
        with use_client(tenant_client):
            assert current_client() is tenant_client
            return await call_next(ctx)

    server.middleware.append(per_tenant)
    async with Client(server) as client:
        result = await client.call_tool("whoami", {})
    assert not result.is_error
    assert shared.requests == []
    assert tenant.requests[0].headers["authorization"] == "Bearer sk-tenant"


def test_the_configured_key_is_not_in_the_settings_repr() -> None:
    assert "sk-secret" not in repr(Settings(api_key="sk-secret"))


async def test_a_malformed_base_url_is_reported_by_the_first_tool_not_at_start() -> None:
    server = create_server(Settings(api_key="sk-test", base_url="not a url"))
    async with Client(server) as client:
        assert (await client.list_tools()).tools
        result = await client.call_tool("whoami", {})
    assert result.is_error
    text = result.content[0].text  # type: ignore[union-attr]
    assert "GENISPACE_BASE_URL" in text
    assert "sk-test" not in text
