"""docs/client.md is the contract the MCP server codes against: every method and parameter it names
exists with that name, kind and default; every model it names is exported."""

from __future__ import annotations

import ast
import builtins
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

import genispace_mcp.client as client_module
from genispace_mcp.client import GeniSpace

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"
ROW = re.compile(r"^\| `(\w+)` \| (.+) \|$", re.MULTILINE)
METHOD = re.compile(r"`(\w+)\(([^`]*?)\)(?: -> [^`]+)?`")


def _documented() -> list[tuple[str, str, str]]:
    found = []
    for namespace, methods in ROW.findall(DOC.read_text()):
        for name, params in METHOD.findall(methods):
            found.append((namespace, name, params))
    return found


def _params(text: str) -> list[tuple[str, bool, Any]]:
    """(name, keyword_only, default or inspect.Parameter.empty) for each documented parameter."""
    if text.strip() in ("", "..."):
        return []
    tree = ast.parse(f"def f({text}): pass").body[0]
    assert isinstance(tree, ast.FunctionDef)
    args = tree.args
    result: list[tuple[str, bool, Any]] = []
    positional_defaults = [inspect.Parameter.empty] * (len(args.args) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults
    ]
    for arg, default in zip(args.args, positional_defaults, strict=True):
        result.append((arg.arg, False, default))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        default = inspect.Parameter.empty if kw_default is None else ast.literal_eval(kw_default)
        result.append((arg.arg, True, default))
    return result


DOCUMENTED = _documented()


def test_the_table_was_read() -> None:
    assert {ns for ns, _, _ in DOCUMENTED} == {"agents", "tasks", "datasets", "api_keys", "users"}
    assert len(DOCUMENTED) > 35


@pytest.mark.parametrize(("namespace", "name", "params"), DOCUMENTED)
def test_documented_method_exists(namespace: str, name: str, params: str) -> None:
    gs = GeniSpace(api_key="sk-surface-test-000000")
    method = getattr(getattr(gs, namespace), name)
    signature = inspect.signature(method)
    for pname, keyword_only, default in _params(params):
        assert pname in signature.parameters, f"{namespace}.{name} lacks {pname}"
        actual = signature.parameters[pname]
        if keyword_only:
            assert actual.kind is inspect.Parameter.KEYWORD_ONLY, f"{namespace}.{name}({pname})"
        assert actual.default == default, f"{namespace}.{name}({pname}) default"
    if "**extra" in params:
        assert any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())


def test_documented_models_and_errors_are_exported() -> None:
    text = DOC.read_text()
    for name in re.findall(r"`([A-Z][A-Za-z]+)`", text):
        if name in {"GENISPACE_API_KEY", "GENISPACE_BASE_URL", "CHAT", "MANUAL"}:
            continue
        if name.isupper() or hasattr(builtins, name):  # RunStatus members, ValueError, ...
            continue
        assert hasattr(client_module, name), name
