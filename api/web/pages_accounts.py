"""/web/admin/accounts: the personal accounts, for admins only (issue 13, item 1).

    GET  /web/admin/accounts                         the accounts and the forms
    POST /web/admin/accounts                         add one
    POST /web/admin/accounts/<login>                 change name, roles, actors, scope
    POST /web/admin/accounts/<login>/password        a new password (also lifts a lock-out)
    POST /web/admin/accounts/<login>/disable|enable  no longer / again may sign in

Every change is a POST with the session's CSRF token (api.web.auth checks it) answered by a 303
back to the list with a confirmation; a refused one (a short password, a malformed or taken
login, no role, half a scope) by the page again, 422, with the reason in Indonesian beside the
field, and nothing changed. An admin cannot disable their own account. Each change is logged
with the admin who made it. Actors are offered with the SOPs' own labels, the scope field
among the SOPs' fields (engine.app.accounts).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from api.auth import ROLES, current
from api.errors import Forbidden
from api.views.common import runtime
from api.web import bp
from engine.app.accounts import MAX_PASSWORD, MIN_PASSWORD, Account
from engine.errors import InvalidAccount
from engine.spec.catalog import Catalog

ROLE_WORDS = {
    "service": "layanan (sistem)",
    "operator": "operator",
    "team_leader": "ketua tim",
    "agency": "instansi",
    "auditor": "auditor",
    "admin": "admin",
}
ADMIN_ONLY = "Halaman akun hanya untuk admin."
SELF_DISABLE = "Anda tidak dapat menonaktifkan akun Anda sendiri: minta admin lain."
NEW = ""  # the add form's key in `errors`
DONE = {
    "added": "Akun {login} ditambahkan.",
    "updated": "Akun {login} diubah.",
    "password": "Kata sandi baru untuk {login} disimpan; kunci akun (jika ada) dibuka.",
    "disabled": "Akun {login} dinonaktifkan: tidak dapat masuk lagi.",
    "enabled": "Akun {login} diaktifkan kembali.",
}
FIELD_WORDS = {
    "login": "Nama pengguna: 2 sampai 64 karakter huruf kecil, angka, titik, garis bawah atau "
    "tanda hubung, diawali huruf atau angka.",
    "password": f"Kata sandi harus {MIN_PASSWORD} sampai {MAX_PASSWORD} karakter.",
    "display_name": "Nama wajib diisi, paling banyak 200 karakter.",
    "roles": "Pilih satu peran atau lebih.",
    "scope": "Lingkup: pilih isian dan tulis nilainya, atau kosongkan keduanya.",
}
TAKEN = "Nama pengguna ini sudah dipakai."
log = logging.getLogger(__name__)


def _admin() -> None:
    if not current().is_admin:
        raise Forbidden(ADMIN_ONLY)


def actor_choices(catalog: Catalog) -> dict[str, str]:
    """actor id -> label, from every SOP's latest revision (a later SOP's label wins)."""
    out: dict[str, str] = {}
    for sop_id in catalog.sop_ids():
        out.update({a.id: a.label for a in catalog.get(sop_id).actors})
    return out


def field_choices(catalog: Catalog) -> dict[str, str]:
    """field id -> label, the fields a scope may name."""
    out: dict[str, str] = {}
    for sop_id in catalog.sop_ids():
        out.update({f.id: f.label for f in catalog.get(sop_id).fields})
    return out


def _scope(form: Any) -> tuple[str, str] | None:
    name = (form.get("scope_field") or "").strip()
    value = (form.get("scope_value") or "").strip()
    if not name and not value:
        return None
    if not name or not value:
        raise InvalidAccount("half a scope", errors={"scope": ["field and value"]})
    return name, value


def _words(exc: InvalidAccount) -> dict[str, str]:
    errors = exc.details.get("errors") or {}
    out = {}
    for name, reasons in errors.items():
        taken = name == "login" and any("taken" in r for r in reasons)
        out[name] = TAKEN if taken else FIELD_WORDS.get(name, exc.message)
    return out


def _page(
    status: int = 200, *, errors: dict[str, str] | None = None, key: str | None = None
) -> tuple[str, int]:
    rt = runtime()
    now = rt.clock.now()
    listed: list[Account] = rt.accounts.listed()
    done = DONE.get(request.args.get("hasil", ""))
    login = request.args.get("akun", "")
    page = render_template(
        "accounts.html",
        accounts=listed,
        now=now,
        roles=[(r, ROLE_WORDS.get(r, r)) for r in ROLES],
        role_words=ROLE_WORDS,
        actors=actor_choices(rt.catalog),
        fields=field_choices(rt.catalog),
        done=done.format(login=login) if done and status == 200 else None,
        errors=errors or {},
        key=key,  # which form the errors are of: NEW, or an account's login
        sent=request.form if status != 200 else {},
        me=current().name,
    )
    return page, status


def _done(kind: str, login: str) -> Response:
    log.info("account %r: %s by %r", login, kind, current().name)
    return redirect(url_for("web.accounts", hasil=kind, akun=login), 303)


@bp.get("/web/admin/accounts")
def accounts() -> tuple[str, int]:
    _admin()
    return _page()


@bp.post("/web/admin/accounts")
def add_account() -> Response | tuple[str, int]:
    _admin()
    form = request.form
    try:
        account = runtime().accounts.add(
            form.get("login", ""),
            form.get("display_name", ""),
            form.get("password", ""),
            roles=form.getlist("roles"),
            actors=form.getlist("actors"),
            scope=_scope(form),
        )
    except InvalidAccount as exc:
        return _page(422, errors=_words(exc), key=NEW)
    return _done("added", account.login)


@bp.post("/web/admin/accounts/<login>")
def update_account(login: str) -> Response | tuple[str, int]:
    _admin()
    form = request.form
    try:
        runtime().accounts.update(
            login,
            display_name=form.get("display_name", ""),
            roles=form.getlist("roles"),
            actors=form.getlist("actors"),
            scope=_scope(form),
        )
    except InvalidAccount as exc:
        return _page(422, errors=_words(exc), key=login)
    return _done("updated", login)


@bp.post("/web/admin/accounts/<login>/password")
def account_password(login: str) -> Response | tuple[str, int]:
    _admin()
    try:
        runtime().accounts.reset_password(login, request.form.get("password", ""))
    except InvalidAccount as exc:
        return _page(422, errors=_words(exc), key=login)
    return _done("password", login)


@bp.post("/web/admin/accounts/<login>/disable")
def disable_account(login: str) -> Response | tuple[str, int]:
    _admin()
    if login == current().name:
        return _page(422, errors={"disable": SELF_DISABLE}, key=login)
    runtime().accounts.disable(login)
    return _done("disabled", login)


@bp.post("/web/admin/accounts/<login>/enable")
def enable_account(login: str) -> Response:
    _admin()
    runtime().accounts.enable(login)
    return _done("enabled", login)
