"""genispace-mcp: the GeniSpace platform as an MCP server, with an async GeniSpace client."""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("genispace-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from genispace_mcp.client import (
        APIConnectionError,
        APIResponseError,
        APIStatusError,
        APITimeoutError,
        AuthenticationError,
        BadRequestError,
        ConfigurationError,
        ConflictError,
        GeniSpace,
        GeniSpaceError,
        InsufficientTokensError,
        InternalServerError,
        NotFoundError,
        PermissionDeniedError,
        RateLimitError,
        RunWaitTimeout,
    )
    from genispace_mcp.server import create_server

# Imported on first use, so `import genispace_mcp.client` never pays for the MCP server (and
# `import genispace_mcp` for neither).
_LAZY = {
    "create_server": "genispace_mcp.server",
    **{
        name: "genispace_mcp.client"
        for name in (
            "APIConnectionError",
            "APIResponseError",
            "APIStatusError",
            "APITimeoutError",
            "AuthenticationError",
            "BadRequestError",
            "ConfigurationError",
            "ConflictError",
            "GeniSpace",
            "GeniSpaceError",
            "InsufficientTokensError",
            "InternalServerError",
            "NotFoundError",
            "PermissionDeniedError",
            "RateLimitError",
            "RunWaitTimeout",
        )
    },
}

__all__ = [
    "APIConnectionError",
    "APIResponseError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "GeniSpace",
    "GeniSpaceError",
    "InsufficientTokensError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RunWaitTimeout",
    "__version__",
    "create_server",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'genispace_mcp' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
