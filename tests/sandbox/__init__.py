"""Tests of the GeniSpace sandbox (genispace_mcp/sandbox), mirroring its modules."""
