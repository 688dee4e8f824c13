"""Identifiers and timestamps: prefixed random ids and ISO 8601 UTC times with `Z`."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime


def new_id(prefix: str) -> str:
    """A fresh id such as `agt_3f9c0a1b2c4d5e6f` (prefix without the underscore)."""
    return f"{prefix}_{secrets.token_hex(8)}"


def iso(ts: float) -> str:
    """Unix seconds as ISO 8601 UTC with millisecond precision and a `Z`."""
    moment = datetime.fromtimestamp(ts, tz=UTC)
    # isoformat pads the year to four digits (strftime's %Y does not for years before 1000).
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def day(ts: float) -> str:
    """The UTC calendar day of a Unix time, `YYYY-MM-DD`."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def parse_iso(text: str) -> float:
    """Parse an ISO 8601 time (a `Z` or an offset; naive means UTC) into Unix seconds.

    Raises ValueError for anything else.
    """
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
