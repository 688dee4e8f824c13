"""Account tools: who the configured key belongs to, what it may do, and what this server exposes."""

from __future__ import annotations

from typing import Annotated, Any

from mcp_types import CallToolResult

from genispace_mcp.server.context import current_client, current_settings
from genispace_mcp.server.models import RateLimit, Whoami, read
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.shaping import dumps, result
from genispace_mcp.server.tools import ToolRegistry
from genispace_mcp.server.toolsets import READ, enabled_toolsets


async def whoami() -> Annotated[CallToolResult, Whoami]:
    """Show the GeniSpace user and API key this server acts as: profile, the key's permissions,
    its rate-limit state, the base URL and the enabled toolsets. Call it first when a tool is
    refused (401/403) or to see what you may do."""
    client = current_client()
    settings = current_settings()
    profile = await client.users.get_profile()
    key: Any = getattr(profile, "api_key", None)
    rate = client.rate_limit
    out = Whoami(
        user_id=getattr(profile, "id", None),
        email=getattr(profile, "email", None),
        name=getattr(profile, "name", None),
        company=getattr(profile, "company", None),
        key_name=_field(key, "name"),
        permissions=_field(key, "permissions"),
        rate_limit=None if rate is None else read(RateLimit, rate),
        base_url=client.base_url,
        toolsets=list(enabled_toolsets(settings)),
        read_only=settings.read_only,
    )
    return result(out, dumps(out))


def _field(value: Any, name: str) -> Any:
    if isinstance(value, dict):
        return value.get(name)
    return getattr(value, name, None)


def register(tools: ToolRegistry, settings: Settings) -> None:
    """Add the account tools."""
    tools.add(whoami, title="Who am I", annotations=READ)
