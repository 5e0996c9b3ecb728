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

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jsonschema
import pytest
import schemathesis
from flask import Flask
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

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
    query = ""  # the query string of the last request, as the app received it

    def __call__(self, environ: Any, start_response: Any) -> Any:
        assert self.app is not None, "the `served` fixture makes the app"
        self.query = environ.get("QUERY_STRING", "")
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


def negative_data_refused(ctx: Any, response: Any, case: Any) -> bool | None:
    """schemathesis's `negative_data_rejection`, less its false alarms on the query string
    (schemathesis#4600): a value generated to break a parameter's schema (a list of objects
    for a text parameter) is sent as text, which the parameter may well admit. Such an
    acceptance stands only if the query, as the app received it, is one the document admits
    (schemathesis's own reading of the sent query differs from what its client sent)."""
    try:
        return negative_data_rejection(ctx, response, case)  # type: ignore[no-any-return]
    except AcceptedNegativeData:
        meta = case.meta
        others = (ParameterLocation.PATH, ParameterLocation.HEADER, ParameterLocation.BODY)
        if any(meta.is_negative_at(where) for where in others) or not _query_admitted(
            case, SERVED.query
        ):
            raise
        return None


def _query_admitted(case: Any, query: str) -> bool:
    declared = {
        p["name"]: p["schema"]
        for p in case.operation.definition.raw.get("parameters", [])
        if p["in"] == "query"
    }
    sent = parse_qs(query, keep_blank_values=True)
    return all(
        name in declared and len(values) == 1 and _text_admitted(declared[name], values[0])
        for name, values in sent.items()
    )


def _text_admitted(schema: dict[str, Any], text: str) -> bool:
    """Whether a query value admits one reading (text, integer, number) its schema accepts."""
    readings: list[Any] = [text]
    for read in (int, float):
        with contextlib.suppress(ValueError):
            readings.append(read(text))
    return any(jsonschema.Draft4Validator(schema).is_valid(r) for r in readings)


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
                excluded_checks=[positive_data_acceptance, negative_data_rejection],
                additional_checks=[refusal_documented, negative_data_refused],
            )
