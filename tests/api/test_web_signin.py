"""Signing in to the web pages, and what a hostile page or link cannot do (issue 11, item 4).

Each attack is tried as a browser would carry it: a link with `?token=`, a cross-site form, a
stolen or stale cookie, a crafted `next`."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner

from api.auth import hash_token
from api.config import ConfigError, settings
from tests.api.conftest import TOKENS, csrf_of, make_app, sign_in, token_entries


def cookie(resp, name: str) -> SimpleCookie:
    """The Set-Cookie header of `resp` that sets `name`, parsed (attributes and all)."""
    for header in resp.headers.getlist("Set-Cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if name in jar:
            return jar
    raise AssertionError(f"no Set-Cookie for {name}: {resp.headers.getlist('Set-Cookie')}")


def reader(client: FlaskClient) -> str:
    """Whose name the pages show in their top bar (empty: the login page)."""
    html = client.get("/web/").get_data(as_text=True)
    if '<span class="who">' not in html:
        return ""
    words = html.split('<span class="who">', 1)[1].split("<", 1)[0].split()
    return words[0] if words else ""


def session_value(client: FlaskClient) -> str:
    found = client.get_cookie("sop_session", path="/web")
    assert found is not None, "not signed in"
    return found.value


@pytest.fixture
def desk(app: Flask) -> FlaskClient:
    return sign_in(app.test_client(), "desk")


def test_a_token_in_a_link_signs_nobody_in_and_leaves_the_session_alone(
    app: Flask, desk: FlaskClient
) -> None:
    before = session_value(desk)
    # A victim signed in as the desk follows the attacker's link carrying another token.
    resp = desk.get("/web/tickets?overdue=yes&token=audit-secret")
    assert resp.status_code == 303 and resp.headers["Location"] == "/web/tickets?overdue=yes"
    assert "Set-Cookie" not in resp.headers
    assert session_value(desk) == before and reader(desk) == "desk"
    # Nobody signed in: the link leads to the login form, and the secret goes nowhere.
    stranger = app.test_client()
    first = stranger.get("/web/tickets?token=root-secret")
    assert "root-secret" not in first.headers["Location"] and "Set-Cookie" not in first.headers
    login = stranger.get(first.headers["Location"])
    assert login.status_code == 302 and "root-secret" not in login.headers["Location"]
    assert reader(stranger) == ""


def test_the_login_form_sets_a_session_cookie_that_is_not_the_token(app: Flask) -> None:
    client = app.test_client()
    form = client.get("/web/login?next=/web/tickets").get_data(as_text=True)
    assert 'type="password" name="token"' in form and "8 jam" in form
    bad = client.post("/web/login", data={"token": "wrong", "csrf": csrf_of(form)})
    assert bad.status_code == 401 and "Token tidak dikenal." in bad.get_data(as_text=True)
    ok = client.post(
        "/web/login",
        data={"token": "desk-secret", "csrf": csrf_of(form), "next": "/web/tickets"},
    )
    assert ok.status_code == 303 and ok.headers["Location"] == "/web/tickets"
    jar = cookie(ok, "sop_session")["sop_session"]
    assert "desk-secret" not in jar.value and hash_token("desk-secret") not in jar.value
    assert jar["httponly"] and jar["samesite"] == "Lax" and jar["path"] == "/web"
    assert jar["max-age"] == str(8 * 3600) and not jar["secure"]  # plain http here
    assert client.get("/web/tickets").status_code == 200


def test_the_session_cookie_opens_no_api_endpoint(app: Flask, desk: FlaskClient) -> None:
    value = session_value(desk)
    body = {"sop": "surabaya-complaints", "actor": "staff", "data": {}}
    as_bearer = desk.post("/v1/tickets", json=body, headers={"Authorization": f"Bearer {value}"})
    assert as_bearer.status_code == 401
    desk.set_cookie("sop_session", value, path="/v1")
    assert desk.post("/v1/tickets", json=body).status_code == 401
    assert desk.get("/v1/tickets").status_code == 401


def test_a_session_ends_after_its_hours(
    app: Flask, desk: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_at = TimestampSigner.get_timestamp(TimestampSigner(b"k"))
    later = signed_at + 8 * 3600 + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: later)
    resp = desk.get("/web/tickets")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/web/login")
    assert cookie(resp, "sop_session")["sop_session"].value == ""  # the stale cookie is cleared


def test_rotating_or_removing_a_token_ends_its_sessions(tmp_path: Path) -> None:
    first = make_app(tmp_path)
    desk = sign_in(first.test_client(), "desk")
    value = session_value(desk)
    first.extensions["sop"].close()

    @contextmanager
    def restarted(entries: list[dict]) -> Iterator[FlaskClient]:
        app = make_app(tmp_path, SOP_TOKENS=entries)
        client = app.test_client()
        client.set_cookie("sop_session", value, path="/web")
        yield client
        app.extensions["sop"].close()

    same = token_entries()
    with restarted(same) as client:  # a restart alone keeps the session (the key is kept)
        assert reader(client) == "desk"
    new_hash = hash_token("new-desk-secret")
    with restarted([dict(e, sha256=new_hash) if e["name"] == "desk" else e for e in same]) as c:
        assert reader(c) == ""
    with restarted([e for e in same if e["name"] != "desk"]) as client:
        assert reader(client) == ""
    key = tmp_path / "web-session.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_cross_site_form_cannot_sign_a_victim_in_as_the_attacker(app: Flask) -> None:
    victim = app.test_client()
    # The attacker's page auto-submits the login form with the attacker's token.
    forged = victim.post("/web/login", data={"token": "audit-secret", "next": "/web/tickets"})
    assert forged.status_code == 403 and "sop_session" not in str(forged.headers)
    # Even with a csrf value of the attacker's own (from their browser), not the victim's.
    attacker = app.test_client()
    theirs = csrf_of(attacker.get("/web/login").get_data(as_text=True))
    victim.get("/web/login")  # the victim has a login cookie of their own
    forged = victim.post("/web/login", data={"token": "audit-secret", "csrf": theirs})
    assert forged.status_code == 403 and "sop_session" not in str(forged.headers)
    assert reader(victim) == ""
    # A browser that says the POST comes from another site is refused outright.
    mine = csrf_of(victim.get("/web/login").get_data(as_text=True))
    headers = {"Sec-Fetch-Site": "cross-site"}
    data = {"token": "audit-secret", "csrf": mine}
    assert victim.post("/web/login", data=data, headers=headers).status_code == 403
    assert reader(victim) == ""


def test_logout_is_a_post_with_the_sessions_csrf_token(desk: FlaskClient) -> None:
    # A link (or an <img> on another site) to /web/logout signs nobody out.
    page = desk.get("/web/logout")
    assert page.status_code == 200 and reader(desk) == "desk"
    # A forged POST without the session's token is refused.
    refused = desk.post("/web/logout", data={"csrf": "guess"})
    assert refused.status_code == 403 and reader(desk) == "desk"
    # The page's own button signs out.
    form = desk.get("/web/tickets").get_data(as_text=True)
    assert 'action="/web/logout"' in form
    out = desk.post("/web/logout", data={"csrf": csrf_of(form)})
    assert out.status_code == 303 and out.headers["Location"] == "/web/login"
    assert cookie(out, "sop_session")["sop_session"].value == ""
    assert reader(desk) == ""


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "/web/\\\\evil.example",
        "javascript:alert(1)",
        "/v1/tickets",
        "/webevil",
        "/web/tickets?token=root-secret",
        "/web/tickets\r\nSet-Cookie: x=y",
    ],
)
def test_login_goes_back_only_to_a_page_of_the_site(app: Flask, target: str) -> None:
    client = app.test_client()
    form = client.get("/web/login").get_data(as_text=True)
    data = {"token": "audit-secret", "csrf": csrf_of(form), "next": target}
    assert client.post("/web/login", data=data).headers["Location"] == "/web/"


def test_behind_a_trusted_tls_proxy_the_cookie_is_secure(tmp_path: Path) -> None:
    https = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    for hops, secure in ((1, True), (0, False)):  # 0: the header is not believed
        app = make_app(tmp_path / str(hops), SOP_TRUSTED_PROXIES=hops)
        client = app.test_client()
        form = client.get("/web/login", headers=https).get_data(as_text=True)
        data = {"token": "desk-secret", "csrf": csrf_of(form)}
        resp = client.post("/web/login", data=data, headers=https)
        assert bool(cookie(resp, "sop_session")["sop_session"]["secure"]) is secure
        app.extensions["sop"].close()


def test_an_old_raw_token_cookie_no_longer_signs_in_and_is_removed(app: Flask) -> None:
    client = app.test_client()
    client.set_cookie("sop_token", TOKENS["root"][0], path="/web")
    resp = client.get("/web/tickets")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/web/login")
    assert cookie(resp, "sop_token")["sop_token"].value == ""


def test_pages_and_api_answers_carry_the_security_headers(app: Flask, desk: FlaskClient) -> None:
    page = desk.get("/web/tickets")
    csp = page.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"  # a signed-out back button shows nothing
    login = app.test_client().get("/web/login")
    assert "Content-Security-Policy" in login.headers and login.headers["X-Frame-Options"] == "DENY"
    api = app.test_client().get("/v1/health")
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert api.headers["X-Frame-Options"] == "DENY"


def test_the_pages_have_no_inline_script_or_style_attribute(app: Flask) -> None:
    root = sign_in(app.test_client(), "root")
    for path in ("/web/", "/web/sops/surabaya-complaints/r1", "/web/tickets", "/web/login"):
        html = root.get(path).get_data(as_text=True)
        assert "<script>" not in html and " style=" not in html and "<style" not in html, path


def test_bad_web_settings_are_refused_saying_what_to_set(tmp_path: Path) -> None:
    for env, words in (
        ({"SOP_TRUSTED_PROXIES": "two"}, "SOP_TRUSTED_PROXIES must be a number of proxies"),
        ({"SOP_TRUSTED_PROXIES": "-1"}, "from 0 to 5"),
        ({"SOP_WEB_SESSION_HOURS": "0"}, "SOP_WEB_SESSION_HOURS"),
        ({"SOP_WEB_SESSION_KEY": "short"}, "at least 32 characters"),
    ):
        with pytest.raises(ConfigError, match=words):
            settings(environ=env)
    assert settings(environ={"SOP_TRUSTED_PROXIES": "1"})["SOP_TRUSTED_PROXIES"] == 1


def test_a_configured_session_key_is_shared_by_every_process(tmp_path: Path) -> None:
    key = hashlib.sha256(b"shared").hexdigest()
    one = make_app(tmp_path / "one", SOP_WEB_SESSION_KEY=key)
    value = session_value(sign_in(one.test_client(), "desk"))
    other = make_app(tmp_path / "other", SOP_WEB_SESSION_KEY=key)  # another data folder
    client = other.test_client()
    client.set_cookie("sop_session", value, path="/web")
    assert reader(client) == "desk"
    assert not (tmp_path / "other" / "web-session.key").exists()
    for app in (one, other):
        app.extensions["sop"].close()
