"""Toolsets: the table of toolsets and their tools, the defaults, and which tools a configuration enables."""

from __future__ import annotations

from mcp_types import ToolAnnotations

from genispace_mcp.server.settings import Settings

# Every tool, grouped by what a user turns on together. The order here is the order of tools/list.
TOOLSETS: dict[str, tuple[str, ...]] = {
    "account": ("whoami",),
    "agents": ("list_agents", "get_agent", "chat_with_agent", "execute_agent", "get_agent_logs"),
    "agent_admin": ("create_agent", "update_agent", "delete_agent"),
    "tasks": (
        "list_tasks",
        "get_task",
        "run_task",
        "get_task_run",
        "list_task_runs",
        "cancel_task_run",
    ),
    "task_admin": ("create_task", "update_task", "delete_task"),
    "datasets": ("list_datasets", "get_dataset", "query_dataset"),
    "dataset_admin": (
        "create_dataset",
        "update_dataset",
        "delete_dataset",
        "import_dataset_records",
        "export_dataset",
    ),
    "api_keys": (
        "list_api_keys",
        "get_api_key",
        "create_api_key",
        "update_api_key",
        "delete_api_key",
        "get_api_key_usage",
    ),
}

# Reading and using agents, tasks and datasets is what most sessions need; administration and API
# keys are opt-in (`--toolsets agent_admin,...` or `all`).
DEFAULT_TOOLSETS: tuple[str, ...] = ("account", "agents", "tasks", "datasets")

# The permission area each toolset's tools need (`read:<area>` / `write:<area>`).
AREAS: dict[str, str] = {
    "agents": "agents",
    "agent_admin": "agents",
    "tasks": "tasks",
    "task_admin": "tasks",
    "datasets": "datasets",
    "dataset_admin": "datasets",
    "api_keys": "api_keys",
}

ALL_TOOLS: tuple[str, ...] = tuple(name for names in TOOLSETS.values() for name in names)
TOOLSET_OF: dict[str, str] = {
    name: toolset for toolset, names in TOOLSETS.items() for name in names
}


class SelectionError(ValueError):
    """An unknown toolset or tool name in the configuration; the message lists the valid ones."""


def enabled_toolsets(settings: Settings) -> tuple[str, ...]:
    """The toolsets this configuration asks for, validated, in table order."""
    asked = DEFAULT_TOOLSETS if settings.toolsets is None else settings.toolsets
    asked = tuple(name.strip() for name in asked if name.strip())
    if "all" in asked:
        return tuple(TOOLSETS)
    unknown = [name for name in asked if name not in TOOLSETS]
    if unknown:
        raise SelectionError(
            f"unknown toolset {', '.join(map(repr, unknown))}; valid toolsets: "
            f"{', '.join(TOOLSETS)}, all (default: {','.join(DEFAULT_TOOLSETS)})"
        )
    return tuple(name for name in TOOLSETS if name in asked)


def selected_tools(settings: Settings) -> tuple[str, ...]:
    """The tool names this configuration enables before read-only filtering, in table order.

    Toolsets plus `tools`, minus `exclude_tools` (exclude wins over every include).
    """
    tools = {name.strip() for name in settings.tools if name.strip()}
    excluded = {name.strip() for name in settings.exclude_tools if name.strip()}
    for option, names in (("--tools", tools), ("--exclude-tools", excluded)):
        unknown = sorted(name for name in names if name not in TOOLSET_OF)
        if unknown:
            raise SelectionError(
                f"unknown tool {', '.join(map(repr, unknown))} in {option}; valid tools: "
                f"{', '.join(ALL_TOOLS)}"
            )
    wanted = {name for toolset in enabled_toolsets(settings) for name in TOOLSETS[toolset]}
    wanted |= tools
    wanted -= excluded
    return tuple(name for name in ALL_TOOLS if name in wanted)


def hints(
    *, read_only: bool, destructive: bool, idempotent: bool, open_world: bool = False
) -> ToolAnnotations:
    """All four behaviour hints, spelled out so none is left to a client's default.

    open_world is true only where a GeniSpace agent or task runs, since those may reach beyond the
    workspace (web search, MCP servers, model calls); everything else acts on the workspace alone.
    """
    return ToolAnnotations(
        read_only_hint=read_only,
        destructive_hint=destructive,
        idempotent_hint=idempotent,
        open_world_hint=open_world,
    )


READ = hints(read_only=True, destructive=False, idempotent=True)
CREATE = hints(read_only=False, destructive=False, idempotent=False)
UPDATE = hints(read_only=False, destructive=True, idempotent=True)
DELETE = hints(read_only=False, destructive=True, idempotent=True)
RUN = hints(read_only=False, destructive=False, idempotent=False, open_world=True)
