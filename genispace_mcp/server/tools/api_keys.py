"""API key tools: list, read, create, change and revoke GeniSpace API keys, and read their usage."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from mcp.server.mcpserver import Context, Elicit, ElicitationResult, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult
from pydantic import Field

from genispace_mcp.server.arguments import Confirm, KeyId, Limit, NewName, Page, given_fields
from genispace_mcp.server.context import current_client, current_settings
from genispace_mcp.server.models import (
    ApiKey,
    ApiKeyList,
    ApiKeyUsage,
    CreatedApiKey,
    Deleted,
    read,
)
from genispace_mcp.server.safety import (
    DeleteConfirmation,
    ask_to_delete,
    confirmed,
    default_secrets_dir,
    write_secret,
)
from genispace_mcp.server.settings import Settings
from genispace_mcp.server.shaping import dumps, listing, respond, result
from genispace_mcp.server.tools import ToolRegistry
from genispace_mcp.server.toolsets import CREATE, DELETE, READ, UPDATE

Permission = Literal[
    "read:agents",
    "write:agents",
    "read:tasks",
    "write:tasks",
    "read:datasets",
    "write:datasets",
    "read:api_keys",
    "write:api_keys",
]
Permissions = Annotated[
    list[Permission], Field(min_length=1, max_length=8, description="What the key may do.")
]
Expiry = Annotated[datetime | None, Field(description="ISO 8601 expiry; none: never expires.")]


async def list_api_keys(page: Page = 1, limit: Limit = 20) -> Annotated[CallToolResult, ApiKeyList]:
    """List the account's API keys (name, permissions, prefix, expiry, last use); never secrets."""
    found = await current_client().api_keys.list(page=page, limit=limit)
    return listing(
        ApiKeyList,
        [read(ApiKey, key) for key in found.items],
        tool="list_api_keys",
        page=page,
        total=found.total,
        has_more=found.has_more,
        budget=current_settings().result_budget,
    )


async def get_api_key(key_id: KeyId) -> Annotated[CallToolResult, ApiKey]:
    """Get one API key's details (never its secret)."""
    key = read(ApiKey, await current_client().api_keys.get(key_id))
    return respond(key, current_settings().result_budget)


async def create_api_key(
    name: Annotated[str, Field(min_length=1, max_length=200, description="Key name.")],
    permissions: Permissions,
    expires_at: Expiry = None,
    application: Annotated[str | None, Field(max_length=200, description="What uses it.")] = None,
) -> Annotated[CallToolResult, CreatedApiKey]:
    """Create an API key with the given permissions (at most the current key's own). GeniSpace
    shows the secret once: unless the operator chose --reveal-secrets it is saved to a file only
    the user can read and the path is returned instead; tell the user where it is."""
    settings = current_settings()
    if not settings.reveal_secrets:
        # Fail before creating a key whose secret would have nowhere to go.
        directory = settings.secrets_dir or default_secrets_dir()
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise ToolError(f"Cannot create the secrets directory {directory}: {exc}") from None
    created = await current_client().api_keys.create(
        name=name, permissions=list(permissions), expires_at=expires_at, application=application
    )
    if created.key is None:
        raise ToolError(
            f"GeniSpace created key {created.id} but sent no secret; delete it and retry."
        )
    secret = created.key.get_secret_value()
    out = read(CreatedApiKey, created).model_copy(update={"secret": None})
    if settings.reveal_secrets:
        out.secret = secret
        message = "The secret is shown once: give it to the user now."
    else:
        try:
            path = write_secret(secret, out.id, settings)
        except OSError as exc:
            raise ToolError(
                f"Key {out.id} was created but its secret could not be saved ({exc}). Delete it "
                "with delete_api_key and create another."
            ) from None
        out.secret_file = str(path)
        message = (
            f"The secret was saved to {path} (readable only by the user); it is not shown here."
        )
    return result(out, f"{dumps(out)}\n{message}")


async def update_api_key(
    key_id: KeyId,
    name: NewName = None,
    permissions: Annotated[
        list[Permission] | None, Field(min_length=1, max_length=8, description="Replaces them all.")
    ] = None,
    expires_at: Expiry = None,
) -> Annotated[CallToolResult, ApiKey]:
    """Rename an API key, change its permissions or expiry; only the fields given change."""
    given_fields(name=name, permissions=permissions, expires_at=expires_at)
    key = await current_client().api_keys.update(
        key_id,
        name=name,
        permissions=None if permissions is None else list(permissions),
        expires_at=expires_at,
    )
    return respond(read(ApiKey, key), current_settings().result_budget)


async def _confirm_key_delete(
    ctx: Context, key_id: str, confirm: str | None
) -> Elicit[DeleteConfirmation] | DeleteConfirmation:
    return ask_to_delete(ctx, "API key", key_id, confirm)


async def delete_api_key(
    key_id: KeyId,
    confirmation: Annotated[ElicitationResult[DeleteConfirmation], Resolve(_confirm_key_delete)],
    confirm: Confirm = None,
) -> Annotated[CallToolResult, Deleted]:
    """Revoke an API key for good: anything using it stops working. The user is asked to confirm
    first; nothing changes without it."""
    if not confirmed(confirmation):
        out = Deleted(id=key_id, deleted=False, message="The user declined; nothing was revoked.")
        return result(out, dumps(out))
    await current_client().api_keys.delete(key_id)
    out = Deleted(id=key_id, deleted=True, message=f"API key {key_id} revoked.")
    return result(out, dumps(out))


async def get_api_key_usage(key_id: KeyId) -> Annotated[CallToolResult, ApiKeyUsage]:
    """Show an API key's usage: requests and errors over the last day/week/month, top endpoints,
    last use and its rate-limit state."""
    usage: Any = await current_client().api_keys.usage(key_id)
    out = read(ApiKeyUsage, usage, key_id=key_id)
    return respond(out, current_settings().result_budget)


def register(tools: ToolRegistry, settings: Settings) -> None:
    """Add the API key tools (toolset api_keys)."""
    tools.add(list_api_keys, title="List API keys", annotations=READ)
    tools.add(get_api_key, title="Get API key", annotations=READ)
    tools.add(create_api_key, title="Create API key", annotations=CREATE)
    tools.add(update_api_key, title="Update API key", annotations=UPDATE)
    tools.add(delete_api_key, title="Delete API key", annotations=DELETE)
    tools.add(get_api_key_usage, title="Get API key usage", annotations=READ)
