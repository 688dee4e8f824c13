"""The command line: help, version, settings from flags and variables, refusals before serving."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from genispace_mcp import __version__
from genispace_mcp.cli import OPTIONS, UsageError, build_settings, main
from genispace_mcp.cli.serve import serve_parser
from genispace_mcp.sandbox.embedded import LazySandbox
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
    return build_settings(serve_parser().parse_args(argv), environ or {})


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
        if entry.get("command") == "npx":
            # A stdio-only client (Claude Desktop) reaches the HTTP server through mcp-remote; the
            # header is built from a variable (no space in the argument, which some clients split).
            url, flag, header = entry["args"][2:5]
            assert entry["args"][:2] == ["-y", "mcp-remote"]
            assert url.endswith("/mcp")
            assert flag == "--header"
            assert header.startswith("Authorization:${")
            variable = header.split("${")[1].rstrip("}")
            assert entry["env"][variable].startswith("Bearer ")
        elif "command" in entry:
            assert entry["command"] == "uvx"
            assert entry["args"][0] == "genispace-mcp"
            serve_parser().parse_args(entry["args"][1:])  # exits on a flag we do not know
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


def test_a_sandbox_that_cannot_start_refuses_connections_at_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import contextlib
    import socket

    import genispace_mcp.sandbox

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no store today")

    monkeypatch.setattr(genispace_mcp.sandbox, "SandboxServer", broken)
    sandbox = LazySandbox().start()
    try:
        # The first connection wakes the sandbox, whose build fails: the waiting connection is
        # dropped (reset, or closed before any answer), not left hanging until a read timeout.
        with (
            contextlib.suppress(ConnectionResetError, BrokenPipeError),
            socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as first,
        ):
            first.sendall(b"GET /v1/users/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert first.recv(1) == b""
        sandbox._thread.join(timeout=5)
        assert not sandbox._thread.is_alive()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", sandbox.port), timeout=5).close()
    finally:
        sandbox.stop()
    assert "the sandbox could not start (RuntimeError: no store today)" in caplog.text


@pytest.mark.parametrize(
    ("argv", "environ"),
    [(["--toolsets", ""], {}), ([], {"GENISPACE_TOOLSETS": ""}), (["--toolsets", " , "], {})],
)
def test_an_empty_toolsets_value_enables_only_the_named_tools(
    argv: list[str], environ: dict[str, str]
) -> None:
    from genispace_mcp.server.toolsets import selected_tools

    settings = settings_from([*argv, "--tools", "whoami"], environ)
    assert settings.toolsets == ()
    assert selected_tools(settings) == ("whoami",)
    assert selected_tools(settings_from(argv, environ)) == ()


def test_toolsets_unset_means_the_defaults() -> None:
    assert settings_from([]).toolsets is None
