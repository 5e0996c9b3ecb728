"""Every page passes axe-core's WCAG 2 A and AA rules with no serious or critical violation, on
a desktop screen and on a phone (390 px), and leaves a screenshot of each under
test-output/screenshots/a11y-<page>-<size>.png.

axe-core is fetched from the npm registry by `make axe` (tests/support/fetch-axe.sh, pinned by
version and sha512); without it these tests are skipped, saying so (tests.support.groups.AXE).

A new page is one line in PAGES: a name, its address (with `{sop}` and the Demo's ticket ids,
`{late}`, `{looped}`, `{closed}`, `{fresh}`, filled in), and, for a page that only exists when
signing in is required, `site="signin"` (a server with a token file; `signed_in=True` signs in
with the token first). docs/web.md, "Accessibility", says what is checked.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import Tab
from tests.browser.demo import Demo
from tests.e2e.conftest import Server
from tests.e2e.test_web_signin_over_http import SECRET, tokens_file
from tests.support import groups

SOP = "surabaya-complaints"
TAGS = ["wcag2a", "wcag2aa"]
BLOCKING = {"serious", "critical"}
SIZES = {
    "desktop": {"viewport": {"width": 1400, "height": 900}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    site: str = "dev"  # "dev": the demo server (no sign-in); "signin": a server with tokens
    signed_in: bool = False  # on the "signin" server: sign in with the token first


PAGES = [
    Page("index", "/web/"),
    Page("work", "/web/work"),
    Page("work-filtered", "/web/work?q=a"),
    Page("accounts", "/web/admin/accounts"),
    Page("sop-form", "/web/sops/{sop}/r1"),
    Page("sop-diff", "/web/sops/{sop}/diff?from=r1&to=r2"),
    Page("tickets", "/web/tickets"),
    Page("tickets-overdue", "/web/tickets?overdue=yes"),
    Page("ticket", "/web/tickets/{looped}"),
    Page("ticket-closed", "/web/tickets/{closed}"),
    Page("monev", "/web/reports/monev?sop={sop}&from=2025-01-01&to=2025-02-01"),
    Page("login", "/web/login", site="signin"),
    Page("logout", "/web/logout", site="signin", signed_in=True),
]


@pytest.fixture(scope="module")
def signin_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("a11y-signin")
    args = ["--tokens", str(tokens_file(tmp / "tokens.yaml"))]
    server = Server(tmp / "data", tmp / "server.log", args, dev=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=list(SIZES))
def sized(request: pytest.FixtureRequest, browser: Any) -> Iterator[tuple[str, Any]]:
    # bypass_csp: Playwright's add_script_tag(path=...) inlines axe's source in a <script>, which
    # the pages' Content-Security-Policy (script-src 'self', api/web/headers.py) would refuse.
    # The CSP itself is tested elsewhere (tests/api); here it only stands in the way.
    context = browser.new_context(locale="id-ID", bypass_csp=True, **SIZES[request.param])
    yield request.param, context
    context.close()


def _violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(groups.axe_path()))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes:"
        " ['violations']})",
        TAGS,
    )
    return [v for v in result["violations"] if v["impact"] in BLOCKING]


def _report(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        targets = [" ".join(map(str, node["target"])) for node in v["nodes"]]
        lines.append(f"{v['impact']} {v['id']}: {v['help']} at {targets[:6]}")
    return "\n".join(lines)


def _sign_in(tab: Tab) -> None:
    tab.open("/web/login")
    tab.page.fill('input[name="token"]', SECRET)
    tab.page.click('form.login:has(input[name="token"]) button[type="submit"]')
    tab.page.wait_for_url("**/web/")


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_the_page_has_no_serious_accessibility_violation(
    page: Page,
    sized: tuple[str, Any],
    site: tuple[Server, Demo],
    signin_site: Server,
) -> None:
    groups.AXE.require()
    size, context = sized
    server = site[0] if page.site == "dev" else signin_site
    tab = Tab(context.new_page(), server.base)
    if page.signed_in:
        _sign_in(tab)
    tab.open(page.path.format(sop=SOP, **dataclasses.asdict(site[1])))
    if tab.page.locator("#flow-diagram").count():  # the diagram, when mermaid is there to draw
        tab.page.wait_for_function("document.body.dataset.flow !== undefined", timeout=30_000)
    found = _violations(tab.page)
    shot: Path = tab.shot(f"a11y-{page.name}-{size}")
    assert shot.is_file()
    assert found == [], f"{page.name} ({size}):\n{_report(found)}"
    assert tab.errors == [], f"console errors: {tab.errors}"


def test_the_check_fails_on_a_field_without_a_label(browser: Any) -> None:
    """A page that a screen reader cannot use is refused: axe was injected and did run."""
    groups.AXE.require()
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.set_content(
            '<html lang="id"><title>Uji</title><body><main><input type="text"></main></body></html>'
        )
        found = _violations(page)
    finally:
        context.close()
    assert [v["id"] for v in found] == ["label"]
    assert "label" in _report(found) and "input" in _report(found)
