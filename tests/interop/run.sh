#!/usr/bin/env bash
# Run the interop checks: the MCP Inspector CLI (strict) and the TypeScript SDK client against
# genispace-mcp over stdio, Streamable HTTP and SSE. Needs Node.js 20+ with npm and the npm registry;
# the peers are installed from tests/interop/package-lock.json into a cache dir outside the repo
# (GENISPACE_INTEROP_CACHE, default ~/.cache/genispace-mcp/interop). Extra arguments go to pytest,
# e.g. `tests/interop/run.sh -k ts_sdk` or `tests/interop/run.sh -x`.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GENISPACE_INTEROP=1
exec uv run pytest tests/interop -p no:cacheprovider -rA -q "$@"
