"""Interop checks: third-party MCP clients against genispace-mcp (opt-in, GENISPACE_INTEROP=1)."""
