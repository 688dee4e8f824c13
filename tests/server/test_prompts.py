"""Prompts: offered only when their tools are on, rendered with the ids given."""

from __future__ import annotations

from mcp.client import Client
from mcp_types import TextContent

from tests.server.conftest import Connect


async def test_prompts_render_the_ids(mcp: Client) -> None:
    names = [prompt.name for prompt in (await mcp.list_prompts()).prompts]
    assert names == ["investigate_failed_runs", "answer_from_dataset", "review_agent"]
    prompt = await mcp.get_prompt("investigate_failed_runs", {"task_id": "tsk_1"})
    content = prompt.messages[0].content
    assert isinstance(content, TextContent)
    assert "list_task_runs with task_id=tsk_1, status=FAILED" in content.text
    grounded = await mcp.get_prompt(
        "answer_from_dataset", {"dataset_id": "ds_1", "question": "What is the refund policy?"}
    )
    assert isinstance(grounded.messages[0].content, TextContent)
    assert "refund policy" in grounded.messages[0].content.text


async def test_prompts_follow_the_enabled_tools(connect: Connect) -> None:
    async with connect(toolsets=("datasets",)) as client:
        names = [prompt.name for prompt in (await client.list_prompts()).prompts]
    assert names == ["answer_from_dataset"]
