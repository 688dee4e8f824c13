"""Chat completion text from every shape, and the execution result."""

from __future__ import annotations

from typing import Any

import pytest

from genispace_mcp.client import AgentExecution, ChatCompletion


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}]}, "hi"),
        ({"choices": [{"message": {"content": None}}, {"message": {"content": "2nd"}}]}, "2nd"),
        ({"content": "flat"}, "flat"),
        ({"response": "also flat"}, "also flat"),
        ({"choices": []}, ""),
    ],
)
def test_text(body: dict[str, Any], text: str) -> None:
    assert ChatCompletion.model_validate(body).text == text


def test_usage_and_citations() -> None:
    completion = ChatCompletion.model_validate(
        {
            "id": "chatcmpl-1",
            "usage": {"prompt_tokens": 12, "completion_tokens": 40, "total_tokens": 52},
            "citations": [{"datasetId": "ds_1", "recordId": "rec_1", "score": 0.83}],
        }
    )
    assert completion.usage is not None
    assert completion.usage.total_tokens == 52
    assert completion.citations[0].record_id == "rec_1"


def test_execution() -> None:
    execution = AgentExecution.model_validate(
        {
            "id": "exe_1",
            "agentId": "agt_1",
            "status": "COMPLETED",
            "output": "done",
            "outputs": {"a": 1},
        }
    )
    assert (execution.agent_id, execution.output, execution.outputs) == ("agt_1", "done", {"a": 1})
