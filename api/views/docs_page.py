"""The OpenAPI document as a self-contained HTML page: no CDN, no JavaScript, so it works
offline and under a strict Content-Security-Policy."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any


def docs_html(doc: Mapping[str, Any]) -> str:
    """The document as one page: what a person reads; tools read openapi.json."""
    schemas = doc.get("components", {}).get("schemas", {})
    info = doc["info"]
    title = html.escape(info["title"])
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{title} API</title><style>{_CSS}</style></head><body>",
        f"<h1>{title} API v{html.escape(info['version'])}</h1>",
        f"<p>{html.escape(info.get('description', ''))}</p>",
        "<p>Machine-readable: <a href=openapi.json>openapi.json</a>. Send "
        "<code>Authorization: Bearer &lt;token&gt;</code> except where marked public.</p>",
    ]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            parts.append(_op_html(path, method, operation, schemas))
    parts.append("</body></html>")
    return "".join(parts)


def _op_html(path: str, method: str, op: dict[str, Any], schemas: dict[str, Any]) -> str:
    e = html.escape
    public = " <span class=pub>public</span>" if op.get("security") == [] else ""
    out = [
        f"<section id={e(op['operationId'])}><h2><span class=m>{method.upper()}</span> "
        f"<code>{e(path)}</code>{public}</h2><p><b>{e(op['summary'])}</b>. "
        f"{e(op.get('description', ''))}</p>"
    ]
    params = op.get("parameters", [])
    if params:
        out.append("<h3>Parameters</h3><ul>")
        for p in params:
            desc = p.get("description", "")
            out.append(f"<li><code>{e(p['name'])}</code> ({e(p['in'])}) {e(desc)}</li>")
        out.append("</ul>")
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    if body:
        out.append("<h3>Body</h3>" + _schema_html(body["schema"], schemas))
    codes = ", ".join(f"{c} {e(r['description'])}" for c, r in op["responses"].items())
    out.append(f"<h3>Responses</h3><p>{codes}</p></section>")
    return "".join(out)


def _schema_html(ref: dict[str, Any], schemas: dict[str, Any]) -> str:
    name = ref.get("$ref", "").rsplit("/", 1)[-1]
    schema = schemas.get(name, {})
    required = set(schema.get("required", ()))
    rows = []
    for prop, info in schema.get("properties", {}).items():
        kind = info.get("type", "object")
        if isinstance(kind, list):
            kind = "/".join(kind)
        req = "required" if prop in required else ""
        desc = info.get("description", "")
        rows.append(
            f"<tr><td><code>{html.escape(prop)}</code></td><td>{html.escape(str(kind))}</td>"
            f"<td>{req}</td><td>{html.escape(desc)}</td></tr>"
        )
    return f"<table>{''.join(rows)}</table>"


_CSS = (
    "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}"
    "section{border-top:1px solid #ccc;padding:.5rem 0}.m{background:#245;color:#fff;"
    "padding:0 .4rem;border-radius:3px;font-size:.9em}.pub{color:#070;font-size:.7em}"
    "table{border-collapse:collapse}td{border:1px solid #ddd;padding:.2rem .5rem}"
    "h2{font-size:1.1rem}h3{font-size:.95rem;margin:.5rem 0 .2rem}"
)
