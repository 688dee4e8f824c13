"""The command line: help, version, settings from flags and variables, refusals before serving."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genispace_mcp import __version__
from genispace_mcp.cli import OPTIONS, UsageError, _serve_parser, build_settings, main
from genispace_mcp.server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "genispace_mcp.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def settings_from(argv: list[str], environ: dict[str, str] | None = None) -> Settings:
    return build_settings(_serve_parser().parse_args(argv), environ or {})


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for command in ("sandbox", "doctor", "tools"):
        assert command in out


def test_version_from_a_real_process() -> None:
    # One real process: the module entry point runs and writes nothing but the answer.
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"genispace-mcp {__version__}"
    assert result.stderr == ""


def test_every_settings_field_has_a_flag_or_variable() -> None:
    import dataclasses

    assert {o.field for o in OPTIONS} == {f.name for f in dataclasses.fields(Settings)}
    assert [o.flag for o in OPTIONS if o.field == "api_key"] == [None]  # never on a command line


def test_defaults() -> None:
    assert settings_from([]) == Settings()


def test_variables_then_flags_win() -> None:
    environ = {
        "GENISPACE_API_KEY": "sk-from-env",
        "GENISPACE_BASE_URL": "http://env.example/v1",
        "GENISPACE_TOOLSETS": "agents, tasks",
        "GENISPACE_READ_ONLY": "yes",
        "GENISPACE_MCP_PORT": "9001",
        "GENISPACE_MCP_TRANSPORT": "HTTP",
        "GENISPACE_MCP_ALLOWED_HOSTS": "a.example,b.example",
        "GENISPACE_RESULT_BUDGET": "5000",
        "GENISPACE_LOG_LEVEL": "debug",
    }
    settings = settings_from([], environ)
    assert settings.api_key == "sk-from-env"
    assert settings.base_url == "http://env.example/v1"
    assert settings.toolsets == ("agents", "tasks")
    assert settings.read_only is True
    assert (settings.transport, settings.port) == ("http", 9001)
    assert settings.allowed_hosts == ("a.example", "b.example")
    assert settings.result_budget == 5000
    assert settings.log_level == "DEBUG"

    flagged = settings_from(
        [
            "--base-url",
            "http://flag.example/v1",
            "--toolsets",
            "all",
            "--port",
            "0",
            "--transport",
            "sse",
        ],
        environ,
    )
    assert flagged.base_url == "http://flag.example/v1"
    assert flagged.toolsets == ("all",)
    assert (flagged.transport, flagged.port) == ("sse", 0)


def test_a_false_variable_is_honoured() -> None:
    assert settings_from([], {"GENISPACE_READ_ONLY": "0"}).read_only is False
    assert settings_from([], {"GENISPACE_SANDBOX": ""}).sandbox is False


@pytest.mark.parametrize(
    ("argv", "environ", "message"),
    [
        ([], {"GENISPACE_MCP_PORT": "eighty"}, "GENISPACE_MCP_PORT='eighty': not a number"),
        (["--port", "70000"], {}, "--port='70000': must be between 0 and 65535"),
        ([], {"GENISPACE_READ_ONLY": "maybe"}, "GENISPACE_READ_ONLY='maybe': expected one of"),
        (
            ["--transport", "websocket"],
            {},
            "--transport='websocket': expected one of stdio, http, sse",
        ),
        (["--result-budget", "0"], {}, "--result-budget='0': must be at least 1"),
    ],
)
def test_bad_values_name_the_flag_or_variable(
    argv: list[str], environ: dict[str, str], message: str
) -> None:
    with pytest.raises(UsageError, match=message.replace("(", r"\(")):
        settings_from(argv, environ)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No GENISPACE_* variable from the outside leaks into an in-process run of the command."""
    for name in list(os.environ):
        if name.startswith("GENISPACE_"):
            monkeypatch.delenv(name)
    return monkeypatch


def test_there_is_no_api_key_flag(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--api-key", "sk-secret-on-the-command-line"])
    assert exit_.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_a_non_loopback_bind_without_auth_refuses_to_start(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], host: str
) -> None:
    assert main(["--transport", "http", "--host", host, "--port", "0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"refusing to serve on {host}" in err
    assert "GENISPACE_MCP_AUTH_TOKEN" in err


def test_a_bad_variable_is_a_clear_error_not_a_traceback(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("GENISPACE_MCP_PORT", "eighty")
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("genispace-mcp: error: GENISPACE_MCP_PORT='eighty'")


def test_a_rejected_token_is_never_echoed(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    clean_env.setenv("GENISPACE_MCP_AUTH_TOKEN", "tiny-secret")
    assert main(["--transport", "http"]) == 2
    err = capsys.readouterr().err
    assert "at least 16 characters" in err
    assert "tiny-secret" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--toolsets", "agents,nope"], "unknown toolset 'nope'"),  # serving stops before it starts
        (["--sandbox", "--tools", "nope"], "unknown tool 'nope'"),
        (["tools", "--toolsets", "agents,nope"], "unknown toolset 'nope'"),
        (["tools", "--exclude-tools", "list_agentz"], "unknown tool 'list_agentz'"),
        (["doctor", "--toolsets", "nope"], "unknown toolset 'nope'"),
    ],
)
def test_unknown_names_fail_with_the_valid_list(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code = main(argv)
    out, err = capsys.readouterr()
    text = out + err
    assert message in text
    assert "list_agents" in text or "agent_admin" in text  # the valid names
    assert code in (1, 2)


def test_tools_json_is_the_tool_surface(
    clean_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    assert main(["tools", "--json", "--read-only", "--toolsets", "all"]) == 0
    tools = json.loads(capsys.readouterr().out)
    assert tools
    assert all(tool["annotations"]["readOnlyHint"] for tool in tools)
    assert main(["tools", "--toolsets", "agents"]) == 0
    text = capsys.readouterr().out
    assert "list_agents" in text
    assert "bytes of name, description and input schema" in text


def test_the_readme_documents_every_flag_and_variable() -> None:
    from genispace_mcp.server.toolsets import DEFAULT_TOOLSETS

    readme = (ROOT / "README.md").read_text()
    assert f"`{','.join(DEFAULT_TOOLSETS)}`" in readme
    for option in OPTIONS:
        assert f"`{option.env}`" in readme, option.env
        if option.flag:
            assert f"`{option.flag}`" in readme, option.flag


def test_the_client_config_example_is_valid() -> None:
    import json

    config = json.loads((ROOT / "mcp.json.example").read_text())
    known = {o.env for o in OPTIONS}
    entries = [*config["mcpServers"].values(), *config["servers"].values()]
    for entry in entries:
        if "command" in entry:
            assert entry["command"] == "uvx"
            assert entry["args"][0] == "genispace-mcp"
            _serve_parser().parse_args(entry["args"][1:])  # exits on a flag we do not know
            assert set(entry.get("env", {})) <= known
        else:
            assert entry["url"].endswith("/mcp")
            assert entry["headers"]["Authorization"].startswith("Bearer ")
    inputs = {i["id"] for i in config["inputs"]}
    assert all(i["password"] for i in config["inputs"])
    for entry in config["servers"].values():
        for value in [*entry.get("env", {}).values(), *entry.get("headers", {}).values()]:
            if "${input:" in value:
                assert value.split("${input:")[1].split("}")[0] in inputs
