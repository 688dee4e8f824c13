"""Page[T] and the lazy pager: has_more from every kind of count, walking, stopping."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from genispace_mcp.client import Page
from genispace_mcp.client._pagination import pagination_of
from tests.client.conftest import Recorder, make_client


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (Page(items=[1, 2], page=1, limit=2, total=5, pages=3), True),
        (Page(items=[1], page=3, limit=2, total=5, pages=3), False),
        (Page(items=[1, 2], page=1, limit=2, total=5), True),
        (Page(items=[1, 2], page=2, limit=2, total=4), False),
        (Page(items=[1, 2], page=1, limit=2), True),  # full page, no counts
        (Page(items=[1], page=1, limit=2), False),
        (Page(items=[], page=1, limit=2, total=10, pages=5), False),  # never loop on nothing
    ],
)
def test_has_more(page: Page[int], expected: bool) -> None:
    assert page.has_more is expected


def test_page_is_iterable_and_sized() -> None:
    page = Page(items=["a", "b"])
    assert list(page) == ["a", "b"]
    assert len(page) == 2


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"pagination": {"page": 2, "limit": 10, "total": 57, "pages": 6}}, (2, 10, 57, 6)),
        ({"pagination": {"page": "2", "pageSize": 10, "totalPages": 6}}, (2, 10, None, 6)),
        ({"page": 1, "limit": 5, "total": 7}, (1, 5, 7, None)),
        ({"meta": {"current_page": 3, "per_page": 4, "total_count": 9}}, (3, 4, 9, None)),
        ({}, (None, None, None, None)),
        ({"pagination": None, "total": True}, (None, None, None, None)),
    ],
)
def test_pagination_spellings(meta: dict[str, Any], expected: tuple[Any, ...]) -> None:
    found = pagination_of(meta)
    assert (found["page"], found["limit"], found["total"], found["pages"]) == expected


def _paged(total: int) -> Recorder:
    def handler(request: httpx.Request) -> httpx.Response:
        page = int(request.url.params["page"])
        limit = int(request.url.params["limit"])
        ids = range((page - 1) * limit, min(page * limit, total))
        return httpx.Response(
            200,
            json={
                "data": [{"id": f"agt_{i}"} for i in ids],
                "pagination": {"page": page, "limit": limit, "total": total},
            },
        )

    return Recorder(handler)


async def test_iterate_walks_every_page_lazily() -> None:
    recorder = _paged(total=7)
    gs, _ = make_client(recorder)
    seen = []
    async for agent in gs.agents.iterate(page_size=3, type="CHAT"):
        seen.append(agent.id)
        if len(seen) == 1:
            assert len(recorder.requests) == 1  # the next page waits until it is needed
    assert seen == [f"agt_{i}" for i in range(7)]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]
    assert {r.url.params["type"] for r in recorder.requests} == {"CHAT"}


async def test_iterate_stops_early_when_the_caller_does() -> None:
    recorder = _paged(total=1000)
    gs, _ = make_client(recorder)
    async for agent in gs.tasks.iterate(page_size=10):
        if agent.id == "agt_14":
            break
    assert len(recorder.requests) == 2


async def test_iterate_without_counts_stops_on_a_short_page() -> None:
    pages = [[{"id": "a"}, {"id": "b"}], [{"id": "c"}]]
    recorder = Recorder(*(httpx.Response(200, json=p) for p in pages))
    gs, _ = make_client(recorder)
    assert [d.id async for d in gs.datasets.iterate(page_size=2)] == ["a", "b", "c"]
    assert len(recorder.requests) == 2


async def test_iterate_stops_on_an_empty_page_despite_counts() -> None:
    # A platform whose total is wrong must not make us loop forever.
    body = {"data": [], "pagination": {"page": 1, "limit": 2, "total": 99}}
    recorder = Recorder(httpx.Response(200, json=body))
    gs, _ = make_client(recorder)
    assert [k async for k in gs.api_keys.iterate(page_size=2)] == []
    assert len(recorder.requests) == 1


async def test_iterate_asks_for_at_most_the_largest_page() -> None:
    pages = [[{"id": str(i)} for i in range(100)], [{"id": "last"}]]
    recorder = Recorder(*(httpx.Response(200, json=p) for p in pages))
    gs, _ = make_client(recorder)
    assert len([a async for a in gs.agents.iterate(page_size=500)]) == 101
    assert [r.url.params["limit"] for r in recorder.requests] == ["100", "100"]
