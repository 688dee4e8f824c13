"""API keys and permissions: secrets in the platform's `sk-...` form, stored as SHA-256 hashes.

The secrets are 256 random bits, so a plain (unsalted) SHA-256 is enough to make the stored hash
useless to a reader of the database, while lookups stay one indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from genispace_mcp.sandbox.errors import ApiError, invalid

PERMISSIONS = (
    "read:agents",
    "write:agents",
    "read:tasks",
    "write:tasks",
    "read:datasets",
    "write:datasets",
    "read:api_keys",
    "write:api_keys",
)
ALL = "*"
# The platform's names for the dataset permissions.
ALIASES = {"read:knowledge": "read:datasets", "write:knowledge": "write:datasets"}
KEY_PREFIX_CHARS = 10  # "sk-" and 7 characters: enough to recognise a key, useless to use it


def generate_secret() -> str:
    """A new secret key, `sk-` followed by 43 URL-safe characters."""
    return "sk-" + secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def canonical(permission: str) -> str:
    """A permission's canonical name (aliases resolved)."""
    return ALIASES.get(permission, permission)


def normalize(permissions: object, field: str = "permissions") -> list[str]:
    """Validate a permissions list from a request: known names only, aliases resolved, no
    duplicates, order kept. Raises a 400 naming the field otherwise."""
    if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
        raise invalid(field, "must be a list of permission strings")
    result: list[str] = []
    for permission in permissions:
        name = canonical(permission)
        if name != ALL and name not in PERMISSIONS:
            raise invalid(
                field,
                f"unknown permission '{permission}'",
                f"Unknown permission '{permission}'; known: *, {', '.join(PERMISSIONS)}",
            )
        if name not in result:
            result.append(name)
    return result


def holds(granted: Iterable[str], needed: str) -> bool:
    """Whether a key with `granted` permissions has `needed`."""
    names = {canonical(p) for p in granted}
    return ALL in names or canonical(needed) in names


def require(granted: Iterable[str], needed: str) -> None:
    """403 naming the permission when `granted` lacks it."""
    if not holds(granted, needed):
        raise ApiError(
            403,
            f"This API key lacks the '{needed}' permission",
            {"required": needed},
        )


def require_all(granted: Iterable[str], wanted: Iterable[str]) -> None:
    """403 when a key tries to give another key a permission it does not hold itself."""
    granted = list(granted)
    for permission in wanted:
        if permission == ALL and not holds(granted, ALL):
            raise ApiError(403, "Only a key holding '*' can grant '*'", {"required": ALL})
        if not holds(granted, permission):
            raise ApiError(
                403,
                f"A key cannot grant '{permission}', which it does not hold itself",
                {"required": permission},
            )
