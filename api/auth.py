"""Bearer tokens from a YAML file, and what each may see and do.

The tokens file (path: `sop serve --tokens`, or env `SOP_TOKENS_FILE`) holds only hashes:

    tokens:
      - name: complaint-desk          # recorded as the `user` of every event it posts
        sha256: 5e884898da28...       # sha256 hex of the secret (`sop token hash`)
        roles: [operator]             # service | operator | team_leader | agency | auditor | admin
        actors: [clerk]               # the SOP actor ids it may post events as ("*": any)
      - name: unit-a1
        sha256: ...
        roles: [agency]
        actors: [unit]
        scope: {field: unit_code, value: A1}   # sees and acts on tickets whose field matches only

Roles: every role reads; all but `auditor` write; `service`, `operator`, `team_leader` and
`admin` see personal fields unmasked; `admin` (and `service`) may move a manual clock.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from flask import g, request
from marshmallow import Schema, ValidationError, fields, validate

from api.errors import Forbidden, Unauthorized
from engine.app.accounts import Account

ROLES = ("service", "operator", "team_leader", "agency", "auditor", "admin")
WRITE_ROLES = frozenset({"service", "operator", "team_leader", "agency", "admin"})
PERSONAL_DATA_ROLES = frozenset({"service", "operator", "team_leader", "admin"})
CLOCK_ROLES = frozenset({"service", "admin"})
ADMIN_ROLE = "admin"  # reloads the SOPs, manages subscriptions and accounts
ANY_ACTOR = "*"


class TokensFileError(ValueError):
    """The tokens file cannot be used; the message says which entry and what to fix."""


@dataclass(frozen=True)
class Scope:
    field: str
    value: str

    def admits(self, ticket_fields: Mapping[str, Any]) -> bool:
        return str(ticket_fields.get(self.field, "")) == self.value


@dataclass(frozen=True)
class Principal:
    name: str
    roles: frozenset[str]
    actors: tuple[str, ...] = ()
    scope: Scope | None = None
    token_sha256: str = field(default="", repr=False)

    @property
    def can_write(self) -> bool:
        return bool(self.roles & WRITE_ROLES)

    @property
    def sees_personal_data(self) -> bool:
        return bool(self.roles & PERSONAL_DATA_ROLES)

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles

    @property
    def can_move_clock(self) -> bool:
        return bool(self.roles & CLOCK_ROLES)

    def may_act_as(self, actor: str) -> bool:
        return ANY_ACTOR in self.actors or actor in self.actors


def account_principal(account: Account) -> Principal:
    """A personal account acts as a token with its roles, actors and scope would; its login is
    the name every log entry it causes records as `user`."""
    scope = Scope(*account.scope) if account.scope else None
    return Principal(
        name=account.login, roles=frozenset(account.roles), actors=account.actors, scope=scope
    )


DEV_PRINCIPAL = Principal(name="dev", roles=frozenset({"admin"}), actors=(ANY_ACTOR,))


def hash_token(secret: str) -> str:
    """The value to store in the tokens file for `secret`."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class _ScopeSchema(Schema):
    field = fields.String(required=True, validate=validate.Length(min=1))
    value = fields.String(required=True, validate=validate.Length(min=1))


class _TokenSchema(Schema):
    # At most 200: recorded as each event's `user`, and in the scope of its idempotency keys.
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    sha256 = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[0-9a-f]{64}$", error="must be 64 lowercase hex digits (see `sop token hash`)"
        ),
    )
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLES)),
        required=True,
        validate=validate.Length(min=1),
    )
    actors = fields.List(fields.String(validate=validate.Length(min=1)), load_default=list)
    scope = fields.Nested(_ScopeSchema, load_default=None)


class _TokensFileSchema(Schema):
    tokens = fields.List(fields.Nested(_TokenSchema), required=True)


class TokenRegistry:
    """Looks bearer secrets up by hash, comparing in constant time."""

    def __init__(self, principals: Iterable[Principal]) -> None:
        self.principals = tuple(principals)
        names = [p.name for p in self.principals]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise TokensFileError(f"token names must be unique; repeated: {', '.join(dupes)}")

    @classmethod
    def from_entries(cls, entries: Any, source: str = "tokens") -> TokenRegistry:
        try:
            doc = _TokensFileSchema().load({"tokens": entries})
        except ValidationError as exc:
            raise TokensFileError(f"{source}: {_flatten(exc.messages)}") from None
        return cls(
            Principal(
                name=t["name"],
                roles=frozenset(t["roles"]),
                actors=tuple(t["actors"]),
                scope=Scope(**t["scope"]) if t["scope"] else None,
                token_sha256=t["sha256"],
            )
            for t in doc["tokens"]
        )

    @classmethod
    def from_file(cls, path: str | Path) -> TokenRegistry:
        path = Path(path)
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise TokensFileError(f"cannot read tokens file {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise TokensFileError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(doc, dict) or "tokens" not in doc:
            raise TokensFileError(f"{path}: expected a mapping with a `tokens:` list")
        return cls.from_entries(doc["tokens"], str(path))

    def lookup(self, secret: str) -> Principal | None:
        digest = hash_token(secret)
        found = None
        for principal in self.principals:  # no early exit: the time does not tell which matched
            if hmac.compare_digest(digest, principal.token_sha256):
                found = principal
        return found

    def named(self, name: str) -> Principal | None:
        """The token called `name` now (a web session names its token; see api.web.session)."""
        return next((p for p in self.principals if p.name == name), None)


def _flatten(messages: Any, prefix: str = "") -> str:
    if isinstance(messages, dict):
        parts = []
        for key, value in messages.items():
            where = f"{prefix}.{key}" if prefix else str(key)
            parts.append(_flatten(value, where))
        return "; ".join(parts)
    if isinstance(messages, list):
        return f"{prefix}: {' '.join(str(m) for m in messages)}"
    return f"{prefix}: {messages}"


def authenticate(registry: TokenRegistry | None) -> Principal:
    """The request's principal; `registry=None` is dev mode (no auth)."""
    if registry is None:
        return DEV_PRINCIPAL
    challenge = {"WWW-Authenticate": 'Bearer realm="sop"'}
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized(
            "send `Authorization: Bearer <token>`; tokens are configured in the tokens file",
            headers=challenge,
        )
    principal = registry.lookup(secret.strip())
    if principal is None:
        raise Unauthorized("the bearer token is not known", headers=challenge)
    return principal


def current() -> Principal:
    return g.principal  # type: ignore[no-any-return]


def require_write() -> Principal:
    principal = current()
    if not principal.can_write:
        raise Forbidden(f"token {principal.name!r} is read-only (roles: {_roles(principal)})")
    return principal


def require_actor(actor: str) -> None:
    principal = current()
    if not principal.may_act_as(actor):
        allowed = ", ".join(principal.actors) or "none"
        raise Forbidden(
            f"token {principal.name!r} may not act as {actor!r}; it may act as: {allowed}",
            errors={"actor": [f"not one of this token's actors: {allowed}"]},
        )


def require_admin(what: str, principal: Principal | None = None) -> Principal:
    """The caller (or `principal`), if an admin; Forbidden naming `what` it may not do."""
    principal = principal or current()
    if not principal.is_admin:
        raise Forbidden(f"token {principal.name!r} may not {what} (needs admin)")
    return principal


def require_clock() -> None:
    principal = current()
    if not principal.can_move_clock:
        raise Forbidden(f"token {principal.name!r} may not move the clock (needs service or admin)")


def _roles(principal: Principal) -> str:
    return ", ".join(sorted(principal.roles))
