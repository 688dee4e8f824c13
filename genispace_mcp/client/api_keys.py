"""gs.api_keys: list, create (with the one-time secret), update, revoke API keys; their usage."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from genispace_mcp.client._pagination import Page, iterate_pages
from genispace_mcp.client._resource import Resource, camel_body, new_idempotency_key
from genispace_mcp.client._transport import segment
from genispace_mcp.client.types.api_key import APIKey, APIKeyUsage, CreatedAPIKey

__all__ = ["APIKeys"]


def _when(value: datetime | str | None) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else value


class APIKeys(Resource):
    """The API key API (`/api-keys`)."""

    async def list(self, *, page: int = 1, limit: int = 20) -> Page[APIKey]:
        """One page of the account's API keys (never their secrets)."""
        reply = await self._t.request("GET", "api-keys", params={"page": page, "limit": limit})
        return self._page(APIKey, reply, page, limit)

    def iterate(self, *, page_size: int = 100) -> AsyncIterator[APIKey]:
        """Every API key, page after page, fetched as the loop goes."""
        return iterate_pages(lambda p, n: self.list(page=p, limit=n), page_size=page_size)

    async def get(self, id: str) -> APIKey:
        """One API key by id."""
        return self._one(APIKey, await self._t.request("GET", f"api-keys/{segment(id)}"))

    async def create(
        self,
        *,
        name: str,
        permissions: Sequence[str],
        expires_at: datetime | str | None = None,
        application: str | None = None,
        idempotency_key: str | None = None,
    ) -> CreatedAPIKey:
        """Create a key; the result's `.key` (a SecretStr) is the secret, shown this once only."""
        body = camel_body(
            {
                "name": name,
                "permissions": [*permissions],
                "expires_at": _when(expires_at),
                "application": application,
            }
        )
        reply = await self._t.request(
            "POST", "api-keys", json=body, idempotency_key=idempotency_key or new_idempotency_key()
        )
        return self._one(CreatedAPIKey, reply)

    async def update(
        self,
        id: str,
        *,
        name: str | None = None,
        permissions: Sequence[str] | None = None,
        expires_at: datetime | str | None = None,
    ) -> APIKey:
        """Rename a key, change its permissions or its expiry (None leaves a field as it is)."""
        body: dict[str, Any] = camel_body(
            {
                "name": name,
                "permissions": None if permissions is None else [*permissions],
                "expires_at": _when(expires_at),
            }
        )
        return self._one(APIKey, await self._t.request("PUT", f"api-keys/{segment(id)}", json=body))

    async def delete(self, id: str) -> None:
        """Revoke and delete a key: it is refused from then on."""
        await self._t.request("DELETE", f"api-keys/{segment(id)}")

    async def usage(self, id: str) -> APIKeyUsage:
        """How much a key was used lately (requests, errors, top endpoints, by day)."""
        reply = await self._t.request("GET", f"api-keys/{segment(id)}/usage")
        return self._one(APIKeyUsage, reply)
