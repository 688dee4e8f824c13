"""gs.users: the profile of the account the API key belongs to."""

from __future__ import annotations

from genispace_mcp.client._resource import Resource
from genispace_mcp.client.types.user import UserProfile

__all__ = ["Users"]


class Users(Resource):
    """The user API (`/users`)."""

    async def get_profile(self) -> UserProfile:
        """The current user's profile (`GET /users/me`)."""
        return self._one(UserProfile, await self._t.request("GET", "users/me"))
