"""The base of every namespace: parsing replies into models and pages, building request bodies."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from genispace_mcp.client._errors import APIResponseError
from genispace_mcp.client._pagination import Page, pagination_of
from genispace_mcp.client._transport import Reply, Transport

__all__ = ["Resource", "camel_body", "new_idempotency_key"]

M = TypeVar("M", bound=BaseModel)


def new_idempotency_key() -> str:
    """A fresh Idempotency-Key: one per logical operation, reused by every retry of it."""
    return f"gsmcp-{uuid.uuid4().hex}"


def camel_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys in camelCase, as the platform's SDK sends them; None values left out."""
    return {to_camel(k) if "_" in k else k: v for k, v in fields.items() if v is not None}


class Resource:
    """One namespace (`gs.agents`, ...): a view on the client's transport."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    @staticmethod
    def _parse(model: type[M], data: Any, reply: Reply | None = None) -> M:
        if not isinstance(data, Mapping):
            raise APIResponseError(
                f"expected a JSON object for {model.__name__}, got {type(data).__name__}",
                status_code=reply.status_code if reply else None,
                request_id=reply.headers.get("x-request-id") if reply else None,
            )
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or '(root)'}: {e['msg']}" for e in exc.errors()[:3]
            )
            raise APIResponseError(
                f"GeniSpace sent a {model.__name__} this client cannot read ({problems})",
                status_code=reply.status_code if reply else None,
                request_id=reply.headers.get("x-request-id") if reply else None,
            ) from None

    def _one(self, model: type[M], reply: Reply) -> M:
        return self._parse(model, reply.data, reply)

    def _page(self, model: type[M], reply: Reply, page: int, limit: int) -> Page[M]:
        data = reply.data
        if not isinstance(data, list):
            raise APIResponseError(
                f"expected a list of {model.__name__} objects, got {type(data).__name__}",
                status_code=reply.status_code,
                request_id=reply.headers.get("x-request-id"),
            )
        counts = pagination_of(reply.meta)
        return Page(
            items=[self._parse(model, item, reply) for item in data],
            page=counts["page"] or page,
            limit=counts["limit"] or limit,
            total=counts["total"],
            pages=counts["pages"],
        )
