"""/web/login (a form POST that checks a login and password, or a token, and starts a session)
and /web/logout (POST).

A personal account signs in with its login and password (engine.app.accounts: argon2, the
lock-out after SOP_LOGIN_MAX_FAILURES wrong passwords in a row for SOP_LOGIN_LOCK_MINUTES);
every refusal gets the one message FAILED_SIGN_IN, which does not tell whether the login exists,
the password was wrong or the account is locked or disabled. Pasting an API token stays the
second way in. A person whose account acts as SOP actors and who asked for no page (`next`
missing or the index) lands on "Tugas saya" (/web/work). An account whose login is also a
token's name is refused (and logged): the `user` of the log entries would not tell the person
from the service.
"""

from __future__ import annotations

import logging

from flask import g, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from api.errors import Forbidden
from api.views.common import runtime
from api.web import bp
from api.web.auth import end_session, safe_next, set_session_cookie
from api.web.session import (
    LOGIN_COOKIE,
    begin,
    begin_account,
    check_csrf,
    keys,
    new_login_nonce,
)

UNKNOWN_TOKEN = "Token tidak dikenal."
FAILED_SIGN_IN = (
    "Nama pengguna atau kata sandi salah, atau akun sedang dikunci. Setelah {failures} kali "
    "salah berturut-turut, akun dikunci selama {minutes} menit."
)
log = logging.getLogger(__name__)


@bp.route("/web/login", methods=["GET", "POST"])
def login() -> Response:
    target = safe_next(request.values.get("next"))
    registry = runtime().tokens
    if registry is None:  # dev mode: nothing to log in to
        return redirect(target)
    if request.method == "GET":
        return _form(target, None, 200)
    try:
        check_csrf(request.form)
    except Forbidden as exc:
        return _form(target, exc.detail, 403)
    if "login" in request.form:
        account = runtime().accounts.sign_in(
            request.form.get("login", ""), request.form.get("password", "")
        )
        if account is not None and registry.named(account.login) is not None:
            log.warning("account %r not signed in: a token has the same name", account.login)
            account = None
        if account is None:
            return _form(target, _failed(), 401)
        cookie = begin_account(account)
        if account.actors and target == url_for("web.index"):
            target = url_for("web.work")  # no page asked for: the person's own work
    else:
        secret = (request.form.get("token") or "").strip()
        principal = registry.lookup(secret) if secret else None
        if principal is None:
            return _form(target, UNKNOWN_TOKEN, 401)
        cookie = begin(principal)
    resp = set_session_cookie(redirect(target, 303), cookie)
    resp.delete_cookie(LOGIN_COOKIE, path=url_for("web.login"))
    return resp


def _failed() -> str:
    accounts = runtime().accounts
    minutes = f"{accounts.lock.total_seconds() / 60:g}"
    return FAILED_SIGN_IN.format(failures=accounts.max_failures, minutes=minutes)


def _form(target: str, error: str | None, status: int) -> Response:
    """The form, with this browser's login CSRF pair (kept across tabs and retries)."""
    g.login_nonce = request.cookies.get(LOGIN_COOKIE) or new_login_nonce()
    hours = f"{keys().max_age / 3600:g}"
    page = render_template("login.html", next=target, error=error, session_hours=hours)
    resp = make_response(page, status)
    resp.set_cookie(
        LOGIN_COOKIE,
        g.login_nonce,
        path=url_for("web.login"),
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
    )
    return resp


@bp.route("/web/logout", methods=["GET", "POST"])
def logout() -> Response | str:
    """GET asks (a link cannot sign anyone out); the form POSTs with the session's CSRF token,
    checked with every POST in api.web.auth."""
    if runtime().tokens is None:  # dev mode: nobody is signed in
        return redirect(url_for("web.index"))
    if request.method == "GET":
        return render_template("logout.html")
    return end_session(redirect(url_for("web.login"), 303))
