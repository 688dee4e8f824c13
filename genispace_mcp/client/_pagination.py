"""Page[T], one page of a list, and iterate_pages(), which walks every page lazily."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

__all__ = ["Page", "iterate_pages", "pagination_of"]

T = TypeVar("T")

MAX_PAGE_SIZE = 100  # the API's largest `limit`

# The platform's spellings of each pagination field, first match wins.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "page": ("page", "currentPage", "current_page", "pageNumber"),
    "limit": ("limit", "pageSize", "page_size", "perPage", "per_page", "size"),
    "total": ("total", "totalCount", "total_count", "totalItems", "count"),
    "pages": ("pages", "totalPages", "total_pages", "pageCount"),
}


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def pagination_of(meta: Mapping[str, Any]) -> dict[str, int | None]:
    """Read page/limit/total/pages from a `pagination` object or an envelope's top level."""
    nested = meta.get("pagination") or meta.get("meta") or {}
    sources = [nested, meta] if isinstance(nested, Mapping) else [meta]
    found: dict[str, int | None] = {}
    for name, spellings in _SPELLINGS.items():
        found[name] = None
        for source in sources:
            for spelling in spellings:
                value = _as_int(source.get(spelling))
                if value is not None:
                    found[name] = value
                    break
            if found[name] is not None:
                break
    return found


@dataclass(slots=True)
class Page(Generic[T]):
    """One page of a list: `items` and what is known of the whole (`total`, `pages`, `has_more`)."""

    items: list[T] = field(default_factory=list)
    page: int = 1
    limit: int = 20
    total: int | None = None
    pages: int | None = None

    @property
    def has_more(self) -> bool:
        """Whether a next page exists. Without counts, a full page is taken to mean there may be."""
        if not self.items:
            return False
        if self.pages is not None:
            return self.page < self.pages
        if self.total is not None:
            return (self.page - 1) * self.limit + len(self.items) < self.total
        return len(self.items) >= self.limit

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


async def iterate_pages(
    fetch: Callable[[int, int], Awaitable[Page[T]]], *, page_size: int, start_page: int = 1
) -> AsyncIterator[T]:
    """Yield every item of every page, fetching a page only when the previous one is used up."""
    # The API clamps `limit` to 100; asking for more could make a clamped page without counts
    # look like the last one.
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    page_number = start_page
    while True:
        page = await fetch(page_number, page_size)
        for item in page.items:
            yield item
        if not page.has_more:
            return
        page_number += 1
