"""Whatever a server answers, a call returns its model or raises a GeniSpaceError: never a stray
KeyError, TypeError or pydantic ValidationError, and never the key. Property-based."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genispace_mcp.client import GeniSpaceError, Page
from genispace_mcp.client.types import GeniSpaceModel
from tests.client.conftest import KEY, FakeClock, make_client

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "data",
                    "items",
                    "success",
                    "error",
                    "code",
                    "message",
                    "details",
                    "status",
                    "pagination",
                    "total",
                    "page",
                    "limit",
                    "pages",
                    "choices",
                    "errors",
                    "row",
                    "logs",
                    "progress",
                    "record",
                    "score",
                    "records",
                    "key",
                    "usage",
                    "x",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=20,
)

CALLS = [
    lambda gs: gs.agents.get("agt_1"),
    lambda gs: gs.agents.list(),
    lambda gs: gs.agents.chat("agt_1", "hi"),
    lambda gs: gs.agents.execute("agt_1"),
    lambda gs: gs.tasks.get_run("run_1"),
    lambda gs: gs.tasks.runs("tsk_1"),
    lambda gs: gs.tasks.get_schema("tsk_1"),
    lambda gs: gs.datasets.query("ds_1", query="q"),
    lambda gs: gs.datasets.import_records("ds_1", [{"a": 1}]),
    lambda gs: gs.api_keys.create(name="k", permissions=["*"]),
    lambda gs: gs.api_keys.usage("key_1"),
    lambda gs: gs.users.get_profile(),
    lambda gs: gs.agents.delete("agt_1"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=json_values,
    status=st.sampled_from([200, 201, 202, 204, 400, 401, 402, 403, 404, 409, 422, 429, 500, 503]),
    call=st.sampled_from(CALLS),
    echo_key=st.booleans(),
)
def test_any_answer_is_a_model_or_a_genispace_error(
    body: Any, status: int, call: Any, echo_key: bool
) -> None:
    if echo_key and isinstance(body, dict):
        body = {**body, "message": f"bad {KEY}", "error": {"message": KEY, "details": {"k": KEY}}}
    content = json.dumps(body).encode()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": "application/json"})

    outcome: list[Any] = []

    async def run() -> None:
        gs, _ = make_client(handler, FakeClock(), max_retries=1)
        try:
            outcome.append(await call(gs))
        except GeniSpaceError as exc:  # anything else fails the test
            outcome.append(exc)

    anyio.run(run)
    (result,) = outcome
    if isinstance(result, GeniSpaceError):
        for text in (str(result), repr(result), str(getattr(result, "details", ""))):
            assert KEY not in text
    else:
        assert result is None or isinstance(result, GeniSpaceModel | Page | dict)
