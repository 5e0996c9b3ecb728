"""Personal accounts in the store (engine.app.accounts): the password kept as a hash only, the
checks of a new account, disabling, resetting, and the lock-out measured on a manual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from engine.app.accounts import Accounts, parse_scope
from engine.core.clock import ManualClock
from engine.errors import InvalidAccount, NotFound
from engine.store import Store
from tests.integration.conftest import T0

ROLES = ("operator", "agency", "auditor", "admin")
PASSWORD = "kata-sandi-siti-1"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def accounts(store: Store, clock: ManualClock) -> Accounts:
    made = Accounts(store, clock, roles=ROLES)
    made.add(
        "siti",
        "Siti Aminah",
        PASSWORD,
        roles=["agency"],
        actors=["unit"],
        scope=parse_scope("unit_code=A1"),
    )
    return made


def test_the_password_is_stored_as_an_argon2_hash_only(store: Store, accounts: Accounts) -> None:
    with store.read() as tx:
        stored = tx.conn.execute(text("SELECT password_hash FROM users")).scalar_one()
    assert PASSWORD not in stored
    assert stored.startswith("$argon2id$")
    account = accounts.sign_in("siti", PASSWORD)
    assert account is not None
    assert (account.roles, account.actors, account.scope) == (
        ("agency",),
        ("unit",),
        ("unit_code", "A1"),
    )
    assert PASSWORD not in repr(account)
    assert accounts.sign_in("siti", "kata-sandi-lain-2") is None
    assert accounts.sign_in("SITI ", PASSWORD) is not None  # logins are lowercase


def test_a_new_account_is_checked_and_a_refused_one_changes_nothing(accounts: Accounts) -> None:
    cases = {
        "login": dict(login="x"),
        "password": dict(password="pendek"),
        "roles": dict(roles=["superuser"]),
    }
    for field, change in cases.items():
        values = dict(login="budi", password="kata-sandi-budi-1", roles=["operator"]) | change
        with pytest.raises(InvalidAccount) as caught:
            accounts.add(values["login"], "Budi", values["password"], roles=values["roles"])
        assert field in caught.value.details["errors"]
    with pytest.raises(InvalidAccount, match="taken"):
        accounts.add("siti", "Siti Lain", "kata-sandi-lain-2", roles=["operator"])
    with pytest.raises(InvalidAccount, match="field=value"):
        parse_scope("unit_code")
    assert [a.login for a in accounts.listed()] == ["siti"]
    assert accounts.sign_in("siti", PASSWORD) is not None  # the taken login kept its password


def test_a_disabled_account_cannot_sign_in(accounts: Accounts) -> None:
    assert accounts.disable("siti").disabled
    assert accounts.sign_in("siti", PASSWORD) is None
    with pytest.raises(NotFound):
        accounts.disable("nobody")


def test_an_enabled_account_signs_in_again_with_its_password(accounts: Accounts) -> None:
    accounts.disable("siti")
    assert not accounts.enable("siti").disabled
    assert accounts.sign_in("siti", PASSWORD) is not None
    with pytest.raises(NotFound):
        accounts.enable("nobody")


def test_an_update_replaces_name_roles_actors_and_scope(
    accounts: Accounts, clock: ManualClock
) -> None:
    clock.advance(timedelta(minutes=5))
    changed = accounts.update(
        "siti",
        display_name=" Siti A. ",
        roles=["operator", "auditor"],
        actors=["staff"],
        scope=None,
    )
    assert (changed.display_name, changed.roles, changed.actors, changed.scope) == (
        "Siti A.",
        ("operator", "auditor"),
        ("staff",),
        None,
    )
    assert changed.updated == T0 + timedelta(minutes=5)
    assert accounts.get("siti") == changed
    assert accounts.sign_in("siti", PASSWORD) is not None  # the password is kept


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"roles": []}, "roles"),
        ({"roles": ["owner"]}, "roles"),
        ({"display_name": " "}, "display_name"),
    ],
)
def test_a_refused_update_changes_nothing(
    accounts: Accounts, change: dict[str, object], field: str
) -> None:
    before = accounts.get("siti")
    wanted: dict[str, object] = {
        "display_name": "Siti",
        "roles": ["operator"],
        "actors": [],
        "scope": None,
        **change,
    }
    with pytest.raises(InvalidAccount) as refused:
        accounts.update("siti", **wanted)  # type: ignore[arg-type]
    assert field in refused.value.details["errors"]
    assert accounts.get("siti") == before
    with pytest.raises(NotFound):
        accounts.update("nobody", display_name="X", roles=["operator"], actors=[], scope=None)


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(
    accounts: Accounts, clock: ManualClock
) -> None:
    for _ in range(4):
        assert accounts.sign_in("siti", "salah-salah-salah") is None
    assert accounts.sign_in("siti", PASSWORD) is not None  # 4 in a row: not yet, and it resets
    for _ in range(5):
        assert accounts.sign_in("siti", "salah-salah-salah") is None
    account = accounts.get("siti")
    assert account is not None and account.locked_until == T0 + timedelta(minutes=15)
    assert accounts.sign_in("siti", PASSWORD) is None  # locked: even the right password
    clock.set(T0 + timedelta(minutes=14, seconds=59))
    assert accounts.sign_in("siti", PASSWORD) is None
    clock.set(T0 + timedelta(minutes=15))
    assert accounts.sign_in("siti", PASSWORD) is not None


def test_a_reset_password_lifts_the_lock_and_the_old_password_stops(
    accounts: Accounts,
) -> None:
    before = accounts.get("siti")
    for _ in range(5):
        accounts.sign_in("siti", "salah-salah-salah")
    after = accounts.reset_password("siti", "kata-sandi-baru-22")
    assert after.locked_until is None
    assert before is not None and after.password_mark != before.password_mark
    assert accounts.sign_in("siti", PASSWORD) is None
    assert accounts.sign_in("siti", "kata-sandi-baru-22") is not None


def test_the_lock_out_settings_are_honoured(store: Store, clock: ManualClock) -> None:
    strict = Accounts(store, clock, roles=ROLES, max_failures=2, lock_minutes=1)
    strict.add("budi", "Budi", "kata-sandi-budi-1", roles=["operator"])
    strict.sign_in("budi", "salah-salah-salah")
    strict.sign_in("budi", "salah-salah-salah")
    assert strict.sign_in("budi", "kata-sandi-budi-1") is None
    clock.set(T0 + timedelta(minutes=1))
    assert strict.sign_in("budi", "kata-sandi-budi-1") is not None
