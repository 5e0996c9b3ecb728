"""The read-only web pages: server-rendered HTML (Jinja, autoescaped) behind the API's auth.

    bp        the blueprint (`app.register_blueprint(api.web.bp)`), pages under /web

    /web/                                    SOPs, their revisions, links to everything
    /web/sops/<sop>/<rev>                    a revision as the Permenpan RB 35/2012 form, with
                                             its flow as a Mermaid diagram; printable
    /web/sops/<sop>/diff?from=&to=           two revisions side by side, differences marked
    /web/work                                "Tugas saya": tickets waiting on my actors
    /web/tickets                             tickets, filtered; overdue ones marked
    /web/tickets/<id>                        a ticket's timeline and open deadlines
    POST /web/tickets/<id>/events            an event from its form on the ticket page
    /web/tickets/<id>/files/<sha256>         a file the ticket holds; ?thumb=1 a thumbnail
    /web/tickets/<id>/exports/<export>.csv   a hand-over to another system (its SOP's exports) as
                                             CSV, or .txt to paste (api.web.pages_exports)
    /web/reports/monev?sop=&from=&to=&scope= the monev report with bar charts
    /web/admin/accounts                      personal accounts: add, change, disable (admins)
    /web/login, /web/logout                  sign in by form POST to a session cookie, sign out
                                             by POST (api.web.auth, api.web.session)

See docs/web.md. Static files are under api/web/static; mermaid.min.js is fetched from the npm
registry by `make mermaid` and served from outside the package (api/web/vendor.py).
"""

from __future__ import annotations

from flask import Blueprint

from api.web.auth import after, authenticate
from api.web.headers import content_security_policy
from api.web.session import csrf_token
from api.web.text import FILTERS

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/web/static",
)
bp.before_request(authenticate)
bp.after_request(after)
bp.after_request(content_security_policy)


@bp.record_once
def _setup(state) -> None:  # type: ignore[no-untyped-def]
    state.app.jinja_env.filters.update(FILTERS)
    state.app.jinja_env.globals["csrf_token"] = csrf_token


from api.web import (  # noqa: E402,F401
    pages_accounts,
    pages_exports,
    pages_forms,
    pages_login,
    pages_reports,
    pages_sops,
    pages_tickets,
    pages_work,
    vendor,
)
