"""genispace-mcp: the GeniSpace platform as an MCP server, with an async GeniSpace client."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("genispace-mcp")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
