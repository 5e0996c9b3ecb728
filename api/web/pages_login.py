"""/web/login (a form that keeps the API token as a cookie) and /web/logout."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from api.views.common import runtime
from api.web import bp
from api.web.auth import COOKIE, lookup, safe_next, set_cookie


@bp.route("/web/login", methods=["GET", "POST"])
def login() -> Response | str:
    target = safe_next(request.values.get("next"))
    if runtime().tokens is None:  # dev mode: nothing to log in to
        return redirect(target)
    if request.method == "GET":
        return render_template("login.html", next=target, error=None)
    secret = (request.form.get("token") or "").strip()
    if lookup(secret) is None:
        page = render_template("login.html", next=target, error="Token tidak dikenal.")
        return make_response(page, 401)
    return set_cookie(redirect(target), secret)


@bp.get("/web/logout")
def logout() -> Response:
    resp = redirect(url_for("web.login"))
    resp.delete_cookie(COOKIE, path="/web")
    return resp
