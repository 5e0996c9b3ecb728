"""Log lines: text or JSON (`configure_logging`), a request id on every line made during a
request, and one access line per request written by the app itself (`install`), so that any
WSGI server (Werkzeug, gunicorn, granian) gives the same lines.

    configure_logging("json")          # one JSON object per line on stderr
    install(app, access_log=True)      # create_app does this; SOP_ACCESS_LOG=1 turns it on

A request's id is its `X-Request-Id` header when that is a sane token (letters, digits and
`._:-`, at most 128 characters; a proxy or client may set one to follow a request through),
else a new one; the answer carries it back in `X-Request-Id`. A JSON line holds `time`,
`level`, `logger`, `message` and `request_id` (null outside a request); an access line
(logger `sop.access`) adds `method`, `path` (a `token` query value written `***`), `status`,
`duration_ms` and `remote_addr`.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime
from typing import IO, Any

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

QUERY_TOKEN = re.compile(r"([?&](?:token|access_token)=)[^&#\s]*", re.IGNORECASE)
REQUEST_ID_HEADER = "X-Request-Id"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
ACCESS_LOGGER = "sop.access"
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "remote_addr")

access = logging.getLogger(ACCESS_LOGGER)


def redact(line: str) -> str:
    """`line` with the value of any `token` (or `access_token`) query parameter as `***`: a
    link carrying one (older versions signed in with `/web/...?token=`) must not leave the
    secret in a log."""
    return QUERY_TOKEN.sub(r"\1***", line)


def request_id() -> str | None:
    """The current request's id; None outside a request."""
    if not has_request_context():
        return None
    return g.get("request_id")


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record (`record.request_id`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """The classic line, with `[request <id>]` at its end during a request."""

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{text} [request {rid}]" if rid else text


def configure_logging(
    fmt: str = "text", *, stream: IO[str] | None = None, level: int = logging.INFO
) -> logging.Handler:
    """Send the process's log lines to `stream` (stderr) as `fmt` ("text" or "json"), each
    with the request id. Called again, it replaces the handler it installed before (other
    handlers stay). Returns the handler."""
    if fmt not in FORMATS:
        raise ValueError(f"log format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "sop_logs", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.sop_logs = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("transitions").setLevel(logging.WARNING)  # a line per state change
    return handler


def install(app: Flask, *, access_log: bool) -> None:
    """Give every request an id (and its answer the header); with `access_log`, write one
    `sop.access` line per request. Installed before any other hook, so a request refused by
    one still gets its id and its line."""

    def begin() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if SANE_REQUEST_ID.fullmatch(given) else secrets.token_hex(16)
        g.request_started = time.perf_counter()

    def finish(resp: Response) -> Response:
        rid = g.get("request_id")
        if rid is None:  # a hook before ours refused the request
            begin()
            rid = g.request_id
        resp.headers[REQUEST_ID_HEADER] = rid
        if access_log:
            _access_line(resp)
        return resp

    app.before_request_funcs.setdefault(None, []).insert(0, begin)
    app.after_request(finish)


def _access_line(resp: Response) -> None:
    started = g.get("request_started")
    duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    query = request.query_string.decode("latin-1")
    path = redact(f"{request.path}?{query}") if query else request.path
    fields = {
        "method": request.method,
        "path": path,
        "status": resp.status_code,
        "duration_ms": round(duration, 2),
        "remote_addr": request.remote_addr,
    }
    access.info(
        '%s "%s %s" %s %.1f ms',
        request.remote_addr or "-",
        request.method,
        path,
        resp.status_code,
        duration,
        extra=fields,
    )
