"""The accounts admin page (issue 13, item 1): an admin adds, changes, resets, disables and
enables personal accounts through forms; everyone else gets a 403; every refusal is a 422 in
Indonesian beside its field with nothing changed; every POST needs the session's CSRF token."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.runtime import Runtime
from tests.api.conftest import csrf_of, sign_in
from tests.api.test_web_accounts import sign_in as sign_in_account

PAGE = "/web/admin/accounts"
PASSWORD = "kata-sandi-rina-1"


def runtime_of(app: Flask) -> Runtime:
    return app.extensions["sop"]  # type: ignore[no-any-return]


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    return sign_in(app.test_client(), "root")


def post(client: FlaskClient, path: str, **form: Any) -> Any:
    csrf = csrf_of(client.get(PAGE).get_data(as_text=True))
    return client.post(path, data={"csrf": csrf, **form})


def add_rina(client: FlaskClient, **changes: Any) -> Any:
    form = {
        "login": "rina",
        "display_name": "Rina Wulandari",
        "password": PASSWORD,
        "roles": ["operator"],
        "actors": ["staff"],
        "scope_field": "",
        "scope_value": "",
        **changes,
    }
    return post(client, PAGE, **form)


def test_only_admins_see_the_page_and_its_link(app: Flask, admin: FlaskClient) -> None:
    assert 'href="/web/admin/accounts">Akun</a>' in admin.get("/web/").get_data(as_text=True)
    desk = sign_in(app.test_client(), "desk")
    assert "Akun</a>" not in desk.get("/web/").get_data(as_text=True)
    refused = desk.get(PAGE)
    assert refused.status_code == 403
    assert "Halaman akun hanya untuk admin." in refused.get_data(as_text=True)
    token = desk.get("/web/login").get_data(as_text=True)  # a signed-in desk's own CSRF
    resp = desk.post(PAGE, data={"csrf": csrf_of(token), "login": "x1", "password": "p" * 12})
    assert resp.status_code == 403 and runtime_of(app).accounts.get("x1") is None


def test_an_admin_adds_an_account_who_then_signs_in(app: Flask, admin: FlaskClient) -> None:
    resp = add_rina(admin, actors=["staff", "team_leader"])
    assert resp.status_code == 303
    assert resp.headers["Location"] == f"{PAGE}?hasil=added&akun=rina"
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Akun rina ditambahkan." in page
    row = page.split('<tr data-login="rina">', 1)[1].split("</tr>", 1)[0]
    assert "Rina Wulandari" in row and "operator" in row and "aktif" in row
    assert "Staff, Ketua Tim Kerja" in row  # the actors by their SOP labels
    account = runtime_of(app).accounts.get("rina")
    assert account is not None and account.actors == ("staff", "team_leader")
    assert PASSWORD not in page
    person = app.test_client()
    assert sign_in_account(person, "rina", PASSWORD).status_code == 303


def test_an_admin_changes_roles_actors_scope_and_name(app: Flask, admin: FlaskClient) -> None:
    add_rina(admin)
    resp = post(
        admin,
        f"{PAGE}/rina",
        display_name="Rina W.",
        roles=["agency"],
        actors=["agency"],
        scope_field="agency",
        scope_value="DSDABM",
    )
    assert resp.status_code == 303
    assert "Akun rina diubah." in admin.get(resp.headers["Location"]).get_data(as_text=True)
    account = runtime_of(app).accounts.get("rina")
    assert account is not None
    assert (account.display_name, account.roles, account.actors, account.scope) == (
        "Rina W.",
        ("agency",),
        ("agency",),
        ("agency", "DSDABM"),
    )


def test_a_new_password_lifts_the_lock_out(app: Flask, admin: FlaskClient) -> None:
    add_rina(admin)
    for _ in range(5):
        sign_in_account(app.test_client(), "rina", "bukan-kata-sandinya")
    assert "dikunci" in admin.get(PAGE).get_data(as_text=True)
    resp = post(admin, f"{PAGE}/rina/password", password="kata-sandi-baru-22")
    assert resp.status_code == 303
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Kata sandi baru untuk rina disimpan" in page
    assert sign_in_account(app.test_client(), "rina", "kata-sandi-baru-22").status_code == 303
    assert sign_in_account(app.test_client(), "rina", PASSWORD).status_code == 401


def test_an_admin_disables_and_enables_an_account(app: Flask, admin: FlaskClient) -> None:
    add_rina(admin)
    person = app.test_client()
    sign_in_account(person, "rina", PASSWORD)
    resp = post(admin, f"{PAGE}/rina/disable")
    assert resp.status_code == 303
    page = admin.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Akun rina dinonaktifkan" in page and "nonaktif" in page
    assert person.get("/web/tickets").status_code == 302  # the open session ends
    assert sign_in_account(app.test_client(), "rina", PASSWORD).status_code == 401
    assert post(admin, f"{PAGE}/rina/enable").status_code == 303
    assert sign_in_account(app.test_client(), "rina", PASSWORD).status_code == 303


def test_an_admin_cannot_disable_themselves(app: Flask) -> None:
    accounts = runtime_of(app).accounts
    accounts.add("ani", "Ani", "kata-sandi-ani-01", roles=["admin"])
    client = app.test_client()
    sign_in_account(client, "ani", "kata-sandi-ani-01")
    resp = post(client, f"{PAGE}/ani/disable")
    assert resp.status_code == 422
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri" in resp.get_data(as_text=True)
    account = accounts.get("ani")
    assert account is not None and not account.disabled


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"password": "pendek"}, "password", "Kata sandi harus 10 sampai 1024 karakter."),
        ({"login": "Bukan Login!"}, "login", "Nama pengguna: 2 sampai 64 karakter"),
        ({"roles": []}, "roles", "Pilih satu peran atau lebih."),
        ({"scope_field": "agency"}, "scope", "Lingkup: pilih isian dan tulis nilainya"),
        ({"display_name": " "}, "display_name", "Nama wajib diisi"),
    ],
)
def test_a_refused_account_is_a_422_in_indonesian_beside_the_field(
    app: Flask, admin: FlaskClient, changes: dict[str, Any], field: str, words: str
) -> None:
    resp = add_rina(admin, **changes)
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    beside = page.split(f'data-error="{field}">', 1)[1].split("</span>", 1)[0]
    assert words in beside
    assert runtime_of(app).accounts.listed() == []
    assert PASSWORD not in page  # the password is not sent back


def test_a_taken_login_is_refused_and_the_first_account_kept(
    app: Flask, admin: FlaskClient
) -> None:
    add_rina(admin)
    resp = add_rina(admin, display_name="Rina Lain", password="kata-sandi-lain-1")
    assert resp.status_code == 422
    assert "Nama pengguna ini sudah dipakai." in resp.get_data(as_text=True)
    account = runtime_of(app).accounts.get("rina")
    assert account is not None and account.display_name == "Rina Wulandari"


def test_a_refused_change_leaves_the_account_as_it_was(app: Flask, admin: FlaskClient) -> None:
    add_rina(admin)
    before = runtime_of(app).accounts.get("rina")
    resp = post(admin, f"{PAGE}/rina", display_name="Rina", roles=[], actors=[])
    assert resp.status_code == 422
    assert "Pilih satu peran atau lebih." in resp.get_data(as_text=True)
    assert runtime_of(app).accounts.get("rina") == before
    short = post(admin, f"{PAGE}/rina/password", password="pendek")
    assert short.status_code == 422 and "Kata sandi harus" in short.get_data(as_text=True)
    assert runtime_of(app).accounts.get("rina") == before


def test_every_change_needs_the_csrf_token(app: Flask, admin: FlaskClient) -> None:
    add_rina(admin)
    for path in (PAGE, f"{PAGE}/rina", f"{PAGE}/rina/password", f"{PAGE}/rina/disable"):
        resp = admin.post(path, data={"login": "eve1", "password": "p" * 12, "roles": "admin"})
        assert resp.status_code == 403, path
    account = runtime_of(app).accounts.get("rina")
    assert account is not None and not account.disabled
    assert runtime_of(app).accounts.get("eve1") is None


def test_an_unknown_account_is_a_404(admin: FlaskClient) -> None:
    assert post(admin, f"{PAGE}/nobody/enable").status_code == 404
