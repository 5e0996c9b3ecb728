"""What a view declares about itself for the OpenAPI document, written on the view.

    @bp.get("/tickets/<ticket_id>")
    @operation("tickets", response=TicketSchema, errors=(404,))
    def get_ticket(ticket_id: str) -> Response:
        '''One ticket.

        State, step, status, fields, deadlines, allowed events. The ETag is the version.'''

The docstring's first line is the operation's summary and the rest its description; the
path and its parameters come from the route itself. `api.views.openapi` walks the app's URL
map and reads these declarations, so the document cannot list a route the app does not serve,
and a route served without a declaration is refused when the document is built.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from marshmallow import Schema

View = TypeVar("View", bound=Callable[..., Any])

_ATTRIBUTE = "openapi_operation"
MULTIPART = "multipart/form-data"


@dataclass(frozen=True)
class Operation:
    """One route's contract: its schemas, success status and media type, the problem statuses
    it may answer besides those every route may (400, 401, 403, 500 and 503), other statuses
    whose body is not a problem (`responses`: status -> schema, e.g. a health report's 503),
    and whether it is public (no bearer token: the authentication hook reads this too).

    `refusals`: (status, problem code, why) of each refusal a request the schema admits may
    still get, because the schema cannot say it (the SOP's own ids and field types, the state
    of a ticket); the document lists them under the status as `x-refusals`."""

    tag: str
    summary: str
    description: str
    response: type[Schema] | None = None
    status: int = 200
    body: type[Schema] | None = None
    body_media: str = "application/json"  # MULTIPART: a form with files (api.views.files)
    query: type[Schema] | None = None
    headers: type[Schema] | None = None
    errors: tuple[int, ...] = ()
    responses: tuple[tuple[int, type[Schema]], ...] = ()
    public: bool = False
    media_type: str | tuple[str, ...] = "application/json"  # several: the first is the default
    refusals: tuple[tuple[int, str, str], ...] = ()


def operation(tag: str, **contract: Any) -> Callable[[View], View]:
    """Declare the view's contract (the fields of `Operation` but its texts, which come from
    the view's docstring); the view itself is returned unchanged."""

    def declare(view: View) -> View:
        summary, description = _texts(view)
        setattr(view, _ATTRIBUTE, Operation(tag, summary, description, **contract))
        return view

    return declare


def declared(view: Callable[..., Any] | None) -> Operation | None:
    """The view's declaration; None for a view without one (or no view)."""
    return getattr(view, _ATTRIBUTE, None)


def _texts(view: Callable[..., Any]) -> tuple[str, str]:
    doc = inspect.getdoc(view)
    if not doc:
        raise TypeError(f"{view.__qualname__}: a documented view needs a docstring (its summary)")
    first, _, rest = doc.partition("\n\n")
    return " ".join(first.split()).removesuffix("."), " ".join(rest.split())
