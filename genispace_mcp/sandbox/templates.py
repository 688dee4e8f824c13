"""`{{ path.to.value }}` templates, used by task template steps and agents' prompt templates."""

from __future__ import annotations

import json
import re
from typing import Any

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")


class TemplateError(Exception):
    """A placeholder names something that does not exist."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"unknown template variable '{name}'")


def lookup(context: Any, path: str) -> Any:
    """Follow a dotted path through objects and lists (`steps.search.output.0.id`)."""
    value = context
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise TemplateError(path)
    return value


def render(template: str, context: dict[str, Any]) -> str:
    """Replace every placeholder; strings as they are, anything else as compact JSON."""

    def substitute(match: re.Match[str]) -> str:
        value = lookup(context, match.group(1))
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return _PLACEHOLDER.sub(substitute, template)


def placeholders(template: str) -> list[str]:
    """The variable paths a template uses, in order."""
    return _PLACEHOLDER.findall(template)
