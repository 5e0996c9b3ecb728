"""What a person reads on the pages for the SOP's ids: an event, a step, a value.

    event_words(spec, name, step_id) -> str     the event's label, else what it did in words
    step_words(spec, state) -> str              "9. Menindaklanjuti pengaduan", "selesai"
    value_html(value, label) -> Markup          a link to an image as a small thumbnail link

An SOP that labels an event (`label:` in the YAML) is read by that label; an event it does not
label is named by what it does at its step ("lanjut ke langkah 7"), never by its id, which
stays in the page's data attributes and in the JSON.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import request
from markupsafe import Markup, escape

from engine.authoring.form import plain as _plain
from engine.core.apply import DEADLINE, TIMER
from engine.core.signoff_runs import run_step
from engine.spec.labels import event_label
from engine.spec.model import END, Spec

ENGINE_EVENTS = {
    "created": "Tiket diterima",
    DEADLINE: "Batas waktu terlewati",
    TIMER: "Pengingat waktu",
}
_IMAGE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|bmp)$", re.IGNORECASE)


def _step(spec: Spec, step_id: str | None) -> Any:
    try:
        return spec.step(run_step(step_id)) if step_id else None
    except KeyError:
        return None


def step_words(spec: Spec, state: str | None) -> str:
    """A step as "no. activity" (without the paper's italics), "selesai" for the end."""
    if state == END:
        return "selesai"
    step = _step(spec, state)
    if step is None:
        return state or "-"
    return f"{step.no}. {_plain(step.activity)}"


def step_no(spec: Spec, state: str | None) -> str:
    """The step's number, "selesai" for the end, "" for none."""
    if state == END:
        return "selesai"
    step = _step(spec, state)
    return str(step.no) if step is not None else ""


def event_words(spec: Spec, name: str, step_id: str | None = None) -> str:
    """The SOP's label of event `name` (at `step_id` first), else the engine's own events in
    Indonesian, else what the event does at its step."""
    label = event_label(spec, name, step_id)
    if label != name:
        return label
    if name in ENGINE_EVENTS:
        return ENGINE_EVENTS[name]
    steps = [s for s in (_step(spec, step_id),) if s is not None] + list(spec.steps)
    for step in steps:
        for signoff in step.signoffs:
            if signoff.event == name:
                return "paraf diberikan"  # which one: the sign-off note beside it
        ev = step.event(name)
        if ev is None:
            continue
        if ev.to is not None:
            return _move(spec, step, ev.to)
        if ev.branches:
            return f"keputusan langkah {step.no}"
        if ev.pause:
            return "dijeda"
        if ev.resume:
            return "dilanjutkan"
        return f"dicatat pada langkah {step.no}"
    return name


def _move(spec: Spec, step: Any, to: str) -> str:
    target = _step(spec, to)
    if to == END or target is None:
        return "ditutup"
    return f"{'kembali' if target.no <= step.no else 'lanjut'} ke langkah {target.no}"


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.netloc or parts.netloc == request.host


def value_html(value: Any, label: str) -> Markup:
    """A value as text; a link to an image as a small thumbnail that opens it. The pages load
    images of this site only (Content-Security-Policy `img-src 'self'`: a reader's browser
    does not tell another site who looks), so an image elsewhere is a link named by its host."""
    text = "-" if value is None else str(value)
    parts = urlsplit(text) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https", "") or not _IMAGE.search(parts.path):
        return escape(text)
    if parts.scheme == "" and not text.startswith("/"):
        return escape(text)
    href = escape(text)
    if _same_site(text):
        return Markup(  # noqa: S704 - every value is escaped
            f'<a class="thumb" href="{href}" target="_blank" rel="noopener">'
            f'<img src="{href}" alt="{escape(label)}" loading="lazy"></a>'
        )
    return Markup(  # noqa: S704 - every value is escaped
        f'<a class="thumb-link" href="{href}" target="_blank" rel="noopener noreferrer">'
        f"foto ({escape(parts.hostname or '')})</a>"
    )
