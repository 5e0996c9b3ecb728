"""Personal accounts: the people who sign in to the web pages (API tokens stay for services).

    Accounts(store, clock, roles=..., max_failures=5, lock_minutes=15)
    add(login, display_name, password, roles=, actors=, scope=)  a new account
    listed() / get(login)                       the accounts, without their password hashes
    update(login, display_name=, roles=, actors=, scope=)  change who the account is and may do
    disable(login) / enable(login)              an enabled account may sign in again
    reset_password(login, pw)                   also lifts a lock-out
    sign_in(login, password) -> Account | None  None for every refusal alike

An account acts with its roles, SOP actors and scope exactly as an API token with the same
would; the roles are the API's own (given by the caller: `api.auth.ROLES`). Passwords are
kept as argon2id hashes (argon2-cffi's defaults), checked outside any transaction; the count
is then written with the row locked, so two sign-ins at once cannot both miss a failure.
After `max_failures` wrong passwords in a row the account is locked for `lock_minutes` by the
service clock: while it is locked even the right password is refused, and the failures count
again from 0 once it ends.
`sign_in` answers the same None for an unknown login, a disabled or locked account and a wrong
password, and checks a hash for an unknown login too, so neither the answer nor its time tells
whether a login exists.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from engine.core.clock import Clock
from engine.errors import InvalidAccount, NotFound
from engine.store import Store
from engine.store.users import UserRecord

LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # argon2 takes any length; a megabyte of "password" is an attack
MAX_FAILURES = 5
LOCK_MINUTES = 15.0
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Account:
    login: str
    display_name: str
    roles: tuple[str, ...]
    actors: tuple[str, ...]
    scope: tuple[str, str] | None  # (field, value): sees and acts on matching tickets only
    disabled: bool
    failed_attempts: int
    locked_until: datetime | None
    created: datetime
    updated: datetime
    # Changes with every new password (argon2's salt): a web session made before a reset ends.
    password_mark: str = field(repr=False, default="")

    def locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


def _account(record: UserRecord) -> Account:
    return Account(
        login=record.login,
        display_name=record.display_name,
        roles=record.roles,
        actors=record.actors,
        scope=record.scope,
        disabled=record.disabled,
        failed_attempts=record.failed_attempts,
        locked_until=record.locked_until,
        created=record.created,
        updated=record.updated,
        password_mark=record.password_hash,
    )


def parse_scope(text: str | None) -> tuple[str, str] | None:
    """`field=value` (as a token's scope) -> (field, value); empty -> None."""
    if not text:
        return None
    name, sep, value = text.partition("=")
    if not sep or not name.strip() or not value.strip():
        raise InvalidAccount(
            f"scope {text!r} is not field=value (e.g. unit_code=A1)",
            errors={"scope": ["expected field=value"]},
        )
    return name.strip(), value.strip()


class Accounts:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        roles: Collection[str],
        max_failures: int = MAX_FAILURES,
        lock_minutes: float = LOCK_MINUTES,
    ) -> None:
        self.store = store
        self.clock = clock
        self.roles = tuple(roles)
        self.max_failures = max_failures
        self.lock = timedelta(minutes=lock_minutes)

    # -- managing ---------------------------------------------------------------------------

    def add(
        self,
        login: str,
        display_name: str,
        password: str,
        *,
        roles: Iterable[str],
        actors: Iterable[str] = (),
        scope: tuple[str, str] | None = None,
    ) -> Account:
        login = _check_login(login)
        name = _check_name(display_name)
        wanted = self._check_roles(roles)
        hashed = _hash(password)
        now = self.clock.now()
        record = UserRecord(
            login=login,
            display_name=name,
            password_hash=hashed,
            actors=_actors(actors),
            roles=wanted,
            scope=scope,
            disabled=False,
            failed_attempts=0,
            locked_until=None,
            created=now,
            updated=now,
        )
        with self.store.write() as tx:
            if tx.user(login, for_update=True) is not None:
                raise InvalidAccount(
                    f"the login {login!r} is taken", errors={"login": ["already taken"]}
                )
            tx.insert_user(record)
        return _account(record)

    def listed(self) -> list[Account]:
        with self.store.read() as tx:
            return [_account(r) for r in tx.users()]

    def get(self, login: str) -> Account | None:
        with self.store.read() as tx:
            record = tx.user(login)
        return _account(record) if record is not None else None

    def update(
        self,
        login: str,
        *,
        display_name: str,
        roles: Iterable[str],
        actors: Iterable[str],
        scope: tuple[str, str] | None,
    ) -> Account:
        """Replace the name, roles, actors and scope; open sessions act with them at once."""
        return self._change(
            login,
            display_name=_check_name(display_name),
            roles=self._check_roles(roles),
            actors=_actors(actors),
            scope=scope,
        )

    def disable(self, login: str) -> Account:
        return self._change(login, disabled=True)

    def enable(self, login: str) -> Account:
        """May sign in again, with the same password. A session cookie made before it was
        disabled and not yet expired works again too: reset the password to end those."""
        return self._change(login, disabled=False)

    def reset_password(self, login: str, password: str) -> Account:
        """A new password; lifts a lock-out. Sessions signed in with the old one end."""
        return self._change(
            login, password_hash=_hash(password), failed_attempts=0, locked_until=None
        )

    def _change(self, login: str, **changes: object) -> Account:
        with self.store.write() as tx:
            if tx.user(login, for_update=True) is None:
                raise NotFound(f"no account {login!r}", login=login)
            tx.update_user(login, updated=self.clock.now(), **changes)
            record = tx.user(login)
        assert record is not None
        return _account(record)

    # -- signing in -------------------------------------------------------------------------

    def sign_in(self, login: str, password: str) -> Account | None:
        """The account when `password` is its password and it may sign in now; None otherwise
        (the reason is not told: see the module's docstring)."""
        login = login.strip().lower()
        now = self.clock.now()
        with self.store.read() as tx:
            record = tx.user(login) if LOGIN.match(login) else None
        if record is None or record.disabled or _account(record).locked(now):
            _verify(_dummy_hash(), password)
            return None
        right = _verify(record.password_hash, password)  # ~0.1 s: outside the write lock
        with self.store.write() as tx:
            fresh = tx.user(login, for_update=True)  # another sign-in may have counted meanwhile
            if fresh is None or fresh.password_hash != record.password_hash or fresh.disabled:
                return None
            if _account(fresh).locked(now):
                return None
            if right:
                if fresh.failed_attempts or fresh.locked_until:
                    tx.update_user(login, failed_attempts=0, locked_until=None)
                return _account(fresh)
            failures = fresh.failed_attempts + 1
            if failures >= self.max_failures:
                tx.update_user(login, failed_attempts=0, locked_until=now + self.lock)
            else:
                tx.update_user(login, failed_attempts=failures, locked_until=None)
            return None

    def _check_roles(self, roles: Iterable[str]) -> tuple[str, ...]:
        wanted = tuple(dict.fromkeys(r.strip() for r in roles if r.strip()))
        unknown = [r for r in wanted if r not in self.roles]
        if not wanted or unknown:
            raise InvalidAccount(
                f"roles must be one or more of {', '.join(self.roles)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else ""),
                errors={"roles": [f"one or more of {', '.join(self.roles)}"]},
            )
        return wanted


def _check_name(display_name: str) -> str:
    name = display_name.strip()
    if not name or len(name) > 200:
        raise InvalidAccount(
            "the display name must be 1 to 200 characters",
            errors={"display_name": ["1 to 200 characters"]},
        )
    return name


def _actors(actors: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a.strip() for a in actors if a.strip()))


def _check_login(login: str) -> str:
    login = login.strip().lower()
    if not LOGIN.match(login):
        raise InvalidAccount(
            f"login {login!r}: 2 to 64 characters, lowercase letters, digits, '.', '_' or '-', "
            "starting with a letter or digit",
            errors={"login": ["2 to 64 of a-z 0-9 . _ -"]},
        )
    return login


def _hash(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidAccount(
            f"the password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters",
            errors={"password": [f"{MIN_PASSWORD} to {MAX_PASSWORD} characters"]},
        )
    return _HASHER.hash(password)


@cache
def _dummy_hash() -> str:
    """A hash checked for an unknown, disabled or locked login, so the time tells nothing."""
    return _HASHER.hash("not anyone's password")


def _verify(hashed: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
