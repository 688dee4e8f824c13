"""Pydantic models of the GeniSpace API, one module per noun."""

from genispace_mcp.client.types.agent import (
    Agent,
    AgentExecution,
    AgentLog,
    ChatChoice,
    ChatCompletion,
    ChatMessage,
)
from genispace_mcp.client.types.api_key import APIKey, APIKeyUsage, CreatedAPIKey
from genispace_mcp.client.types.dataset import (
    Dataset,
    DatasetStatistics,
    ImportResult,
    QueryMatch,
    QueryResult,
)
from genispace_mcp.client.types.shared import Citation, GeniSpaceModel, RateLimit, Usage
from genispace_mcp.client.types.task import RunError, RunLog, RunProgress, RunStatus, Task, TaskRun
from genispace_mcp.client.types.user import UserProfile

__all__ = [
    "APIKey",
    "APIKeyUsage",
    "Agent",
    "AgentExecution",
    "AgentLog",
    "ChatChoice",
    "ChatCompletion",
    "ChatMessage",
    "Citation",
    "CreatedAPIKey",
    "Dataset",
    "DatasetStatistics",
    "GeniSpaceModel",
    "ImportResult",
    "QueryMatch",
    "QueryResult",
    "RateLimit",
    "RunError",
    "RunLog",
    "RunProgress",
    "RunStatus",
    "Task",
    "TaskRun",
    "Usage",
    "UserProfile",
]
