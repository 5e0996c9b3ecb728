"""The read-only web pages: server-rendered HTML (Jinja, autoescaped) behind the API's auth.

    bp        the blueprint (`app.register_blueprint(api.web.bp)`), pages under /web

    /web/                                    SOPs, their revisions, links to everything
    /web/sops/<sop>/<rev>                    a revision as the Permenpan RB 35/2012 form, with
                                             its flow as a Mermaid diagram; printable
    /web/sops/<sop>/diff?from=&to=           two revisions side by side, differences marked
    /web/tickets                             tickets, filtered; overdue ones marked
    /web/tickets/<id>                        a ticket's timeline and open deadlines
    /web/reports/monev?sop=&from=&to=&scope= the monev report with bar charts
    /web/login, /web/logout                  the token as a cookie (see api.web.auth)

See docs/web.md. Static files are under api/web/static; mermaid.min.js is fetched from the npm
registry by `make mermaid` and served from outside the package (api/web/vendor.py).
"""

from __future__ import annotations

from flask import Blueprint

from api.web.auth import authenticate
from api.web.text import FILTERS

bp = Blueprint(
    "web",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/web/static",
)
bp.before_request(authenticate)


@bp.record_once
def _setup(state) -> None:  # type: ignore[no-untyped-def]
    state.app.jinja_env.filters.update(FILTERS)


from api.web import pages_login, pages_reports, pages_sops, pages_tickets, vendor  # noqa: E402,F401
