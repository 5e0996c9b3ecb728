"""Which tickets a token may see, and reading a ticket as the caller may see it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.auth import Principal, current
from api.errors import Forbidden
from api.present.tickets import Reader
from api.views.common import runtime
from engine.app.service import TicketRecord
from engine.errors import NotFound


def reader() -> Reader:
    return Reader(sees_personal_data=current().sees_personal_data)


def not_found(ticket_id: str) -> NotFound:
    return NotFound(f"no ticket {ticket_id!r}", ticket_id=ticket_id)


def visible_ticket(ticket_id: str) -> TicketRecord:
    """The ticket, or 404 when it does not exist or lies outside the token's scope (the same
    answer, so a scoped token cannot learn which ids exist)."""
    record = runtime().service.get_ticket(ticket_id)
    scope = current().scope
    if scope is not None and not scope.admits(record.ticket.fields):
        raise not_found(ticket_id)
    return record


def scope_filter(principal: Principal, asked: str | None) -> dict[str, str] | None:
    """The scope to list with: the token's own, or the `field:value` the caller asked for."""
    wanted = None
    if asked:
        name, _, value = asked.partition(":")
        wanted = {name: value}
    if principal.scope is None:
        return wanted
    own = {principal.scope.field: principal.scope.value}
    if wanted is not None and wanted != own:
        raise Forbidden(
            f"token {principal.name!r} is limited to {principal.scope.field}:"
            f"{principal.scope.value}; it cannot list {asked}"
        )
    return own


def check_scope_kept(principal: Principal, values: Mapping[str, Any], where: str) -> None:
    """A scoped token may not move a ticket out of its own scope."""
    scope = principal.scope
    if scope is None or scope.field not in values:
        return
    if str(values[scope.field]) != scope.value:
        raise Forbidden(
            f"token {principal.name!r} may only use {scope.field} = {scope.value!r}",
            errors={f"{where}.{scope.field}": [f"must be {scope.value!r} for this token"]},
        )
