"""Which tickets a token may see, and reading a ticket as the caller may see it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from api.auth import ANY_ACTOR, Principal, current, require_actor
from api.errors import Forbidden
from api.present.tickets import Reader, notification_view, reader_maskers
from api.views.common import runtime
from engine.app.service import TicketRecord
from engine.core.masking import Masker, ticket_masker
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


def fields_in_scope(principal: Principal, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A scoped token opens tickets in its own scope only: the scope field is filled in for it,
    and another value is refused."""
    out = dict(fields)
    scope = principal.scope
    if scope is not None:
        check_scope_kept(principal, out, "fields")
        out.setdefault(scope.field, scope.value)
    return out


def opening_actor(principal: Principal, asked: str | None) -> str | None:
    """Who opens a ticket: the SOP actor asked for (if the token may act as it), else the
    token's first actor; None leaves the choice to the SOP (a token that may act as any)."""
    if asked is not None:
        require_actor(asked)
        return asked
    if principal.actors and principal.actors[0] != ANY_ACTOR:
        return principal.actors[0]
    return None


def maskers(records: Iterable[TicketRecord], who: Reader) -> dict[str, Masker]:
    """Per ticket (by id), what hides its personal data from `who` (`reader_maskers`)."""
    return reader_maskers(runtime().service, records, who)


def masker(
    record: TicketRecord, who: Reader, timeline: Iterable[Mapping[str, Any]] | None = None
) -> Masker:
    """What hides one ticket's personal data from `who`; `timeline`: its log, when the view
    has read it already (the values it had are taken from there)."""
    if timeline is None or who.sees_personal_data:
        return maskers([record], who)[record.id]
    return ticket_masker(record.spec, [record.ticket.fields, *(e["data"] for e in timeline)])


def masked_notifications(items: Iterable[Mapping[str, Any]], who: Reader) -> list[dict[str, Any]]:
    """Outbox items as `who` may read them: a reader who may not see personal data gets the
    texts with each ticket's personal values (every one it has had) masked."""
    items = list(items)
    found: dict[str, Masker] = {}
    if not who.sees_personal_data:
        records = [r for r in map(_ticket, {item["ticket_id"] for item in items}) if r]
        found = maskers(records, who)
    fallback = Masker(frozenset(), frozenset())  # a note of no ticket (a periodic report)
    return [notification_view(item, who, found.get(item["ticket_id"], fallback)) for item in items]


def _ticket(ticket_id: str) -> TicketRecord | None:
    try:
        return runtime().service.get_ticket(ticket_id)
    except NotFound:
        return None
