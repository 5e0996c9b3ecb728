"""The API against its own OpenAPI document, by schemathesis (in process, on SQLite).

Every operation of the generated document (`api/views/openapi.py`) gets a bounded number of
generated requests (`MAX_EXAMPLES` per phase, a fixed seed, derandomized: CI is repeatable),
each sent with an admin token and with an agency token (scoped to one agency). For each:

- no server error (5xx);
- the response conforms to the document: a documented status, media type and schema (a
  problem body holds only the members its schema declares);
- a request the document admits is not refused, unless the document names the refusal: a
  4xx other than 401, 403 and 404 must carry a problem `code` the operation lists under that
  status's `x-refusals` (why the schema cannot tell, e.g. the SOP's own event types).

Requests that name a ticket are sent twice: as generated (an unknown id) and at a ticket that
exists, so that the checks reach the ticket itself and not only its 404.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from flask import Flask
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api.views.openapi import openapi_document
from tests.api.conftest import TOKENS, make_app
from tests.api.journey import SOP
from tests.support.seed import OTHER_CHANNEL, ROUTING

MAX_EXAMPLES = 50
SEED = 20250106
# The tokens each request is sent with (tests/api/conftest.py): an admin, and an agency token
# scoped to DSDABM.
CALLERS = ("root", "dsdabm")
ACCESS_STATUSES = frozenset({401, 403, 404})  # documented for every operation (REASONS)


def _document() -> dict[str, Any]:
    """The OpenAPI document, read when the tests are collected (schemathesis parametrizes by
    its operations then), from an app on a throw-away folder; the tests run on `served`."""
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        try:
            return openapi_document(app)
        finally:
            app.extensions["sop"].close()


CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "with-security-parameters": False,
        },
    }
)


class Served:
    """The WSGI app schemathesis sends to (its checks' own probes too): the `served` fixture's,
    made when the tests run, after the schema was read at collection."""

    app: Flask | None = None

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.app is not None, "the `served` fixture makes the app"
        return self.app(environ, start_response)


SERVED = Served()
DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT, config=CONFIG)
schema.app = SERVED


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app under test, with a ticket of each agency the tokens may see."""
    app = make_app(tmp_path_factory.mktemp("schemathesis"))
    assert openapi_document(app) == DOCUMENT  # the one the cases were drawn from
    client = app.test_client()
    auth = {"Authorization": f"Bearer {TOKENS['root'][0]}"}
    ids = []
    for agency in ("DSDABM", "DINKES"):
        made = client.post(
            "/v1/tickets",
            json={"sop": SOP, "fields": {**OTHER_CHANNEL, **ROUTING, "agency": agency}},
            headers=auth,
        )
        assert made.status_code == 201, made.get_json()
        ids.append(made.get_json()["id"])
    app.config["TICKET"] = ids[0]
    SERVED.app = app
    yield app
    SERVED.app = None
    app.extensions["sop"].close()


def refusal_documented(ctx: Any, response: Any, case: Any) -> bool | None:
    """A request the document admits, refused (4xx but 401/403/404), names a documented
    reason: its problem `code` is listed under the status's `x-refusals`."""
    meta = case.meta
    status = response.status_code
    if meta is None or not meta.generation.mode.is_positive or not 400 <= status < 500:
        return None
    if status in ACCESS_STATUSES:
        return None
    documented = case.operation.definition.raw["responses"].get(str(status), {})
    reasons = documented.get("x-refusals", {})
    code = (response.json() or {}).get("code")
    if code not in reasons:
        raise AssertionError(
            f"{case.operation.label}: a request the schema admits was refused with {status} "
            f"`{code}`, which the operation does not document (x-refusals: {sorted(reasons)}):"
            f" {response.text[:500]}"
        )
    return True


@schema.parametrize()
def test_the_api_keeps_its_documented_contract(case: Any, served: Flask) -> None:
    targets = [dict(case.path_parameters or {})]
    if "ticket_id" in targets[0]:
        targets.append({**targets[0], "ticket_id": served.config["TICKET"]})
    for path_parameters in targets:
        case.path_parameters = path_parameters
        for caller in CALLERS:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {TOKENS[caller][0]}"},
                excluded_checks=[positive_data_acceptance],
                additional_checks=[refusal_documented],
            )
