"""The route table: each endpoint's method, path, permission and documentation in one place.

Route modules declare endpoints with `Routes.add`; create_app turns them into Starlette routes
(wrapped with the permission check) and openapi.py into the OpenAPI document, so the two never
disagree about what is served.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response

Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One operation. `returns` names a schema in openapi.py (`Page:X` for a list of X,
    None for an empty body, or a media type such as `stream`); `body` likewise."""

    method: str
    path: str  # under /v1, e.g. "/agents/{id}"
    handler: Handler
    permission: str | None
    summary: str
    tag: str
    status: int = 200
    returns: str | None = None
    body: str | None = None
    body_required: bool = True
    query: tuple[str, ...] = ()
    deprecated: bool = False
    description: str = ""
    headers: tuple[str, ...] = ()  # extra request headers documented (e.g. Idempotency-Key)
    errors: tuple[int, ...] = field(default=())  # statuses beyond the common ones


class Routes:
    """The endpoints of one area (agents, tasks, ...)."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.endpoints: list[Endpoint] = []

    def add(
        self, method: str, path: str, *, permission: str | None, summary: str, **options: object
    ) -> Callable[[Handler], Handler]:
        """Declare `handler` as serving `method path`."""

        def register(handler: Handler) -> Handler:
            self.endpoints.append(
                Endpoint(method, path, handler, permission, summary, self.tag, **options)  # type: ignore[arg-type]
            )
            return handler

        return register
