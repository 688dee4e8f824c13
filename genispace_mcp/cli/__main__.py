"""`python -m genispace_mcp.cli`: the same as the `genispace-mcp` command."""

import sys

from genispace_mcp.cli import main

sys.exit(main())
