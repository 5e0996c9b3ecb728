"""A DiffResult as terminal text (coloured with click.style, or plain) and as Markdown.

    render_text(result, color=False) -> str
    render_markdown(result) -> str          for audit reports

Both list the sections in engine.authoring.diff_model.SECTIONS order; step changes are grouped under
their step ("step 9 (check_documents)"). Signs: + added, - removed, ~ changed, # renumbered,
> moved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from engine.authoring.diff_model import SECTIONS, Change, DiffResult, Impact, TicketImpact
from engine.authoring.diff_time import approx_calendar_days
from engine.core.time_text import moment_text
from engine.spec.model import Duration

SIGNS = {"added": "+", "removed": "-", "changed": "~", "renumbered": "#", "moved": ">"}
COLORS = {"added": "green", "removed": "red", "changed": "yellow", "renumbered": "cyan"}
Code = Callable[[str], str]


def _plain(text: str) -> str:
    return text


# -- values -----------------------------------------------------------------------------------


def value_text(value: Any) -> str:
    if value is None:
        return "none"
    if value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return _dict_text(value)
    return str(value)


def _dict_text(value: dict[str, Any]) -> str:
    keys = set(value)
    if {"amount", "unit", "text"} == keys:  # a time limit
        return str(value["text"])
    if {"no", "activity", "performers", "time_limit"} == keys:  # a whole step
        by = ", ".join(value["performers"]) or "nobody"
        return f"{value['activity']} (by {by}; {value['time_limit'] or 'no time limit'})"
    if {"text", "fields", "when"} == keys:  # an input item
        out = str(value["text"])
        if value["fields"]:
            out += f" [fields: {', '.join(value['fields'])}]"
        return out + (f" (when {value['when']})" if value["when"] else "")
    if {"by", "targets", "clock", "requires", "accepts"} == keys:  # an event
        out = f"by {', '.join(value['by'])}"
        if value["targets"]:
            out += f" -> {'; '.join(value['targets'])}"
        if value["clock"]:
            out += f" ({value['clock']}s the clock)"
        return out + (f", requires {', '.join(value['requires'])}" if value["requires"] else "")
    if "when" in keys or "then" in keys:  # a rule: its own notation
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    shown = {k: v for k, v in value.items() if v not in (None, "", [], False) and k != "label"}
    extras = "; ".join(f"{k.replace('_', ' ')}: {value_text(v)}" for k, v in shown.items())
    if "label" not in value:
        return extras or "none"
    return f"{value['label']} ({extras})" if extras else str(value["label"])


def _roughly(c: Change) -> str:
    """For a time limit whose unit changed: both in calendar days, roughly."""
    if c.note != "changed unit" or not (isinstance(c.before, dict) and isinstance(c.after, dict)):
        return ""
    x, y = (approx_calendar_days(Duration(v["amount"], v["unit"])) for v in (c.before, c.after))
    return f" (roughly {x:g} -> {y:g} calendar days)"


def _quoted(value: Any) -> str:
    """Texts with spaces in quotes, so where one ends and the next begins stays clear."""
    return f'"{value}"' if isinstance(value, str) and " " in value else value_text(value)


def _attribute(attr: str) -> str:
    if attr.startswith("events."):
        _, name, *part = attr.split(".", 2)
        return f"event {name}" + (f" {part[0]}" if part else "")
    if attr == "signoffs.order":
        return "sign-off order"
    if attr.startswith("signoffs."):
        _, sid, *part = attr.split(".", 2)
        return f"sign-off {sid}" + (f" {part[0].replace('_', ' ')}" if part else "")
    if attr.startswith("inputs["):
        item, _, tail = attr[len("inputs[") :].rpartition("]")
        return f'input "{item}"' + (f" {tail.lstrip('.')}" if tail else "")
    return attr.replace("_", " ")


def change_text(c: Change, code: Code = _plain, grouped: bool = False) -> str:
    """A change without its kind (the sign or a bold word says it), nor its step when it is
    listed under it (`grouped`): 'time limit: 3 working days -> 2 working days, tighter'."""
    sub = code(c.subject)
    if c.kind == "renumbered":
        return f"{c.before} -> {c.after}"
    if c.kind == "moved":
        was = f"after {code(c.before)}" if c.before else "first"
        now = f"after {code(c.after)}" if c.after else "first"
        return f"was {was}, now {now}"
    if c.kind == "changed":
        name = _attribute(c.attribute) if c.attribute else sub
        if c.section in ("actors", "fields", "statuses", "calendars", "rules"):
            name = f"{sub} {name}"
        text = f"{name}: {_quoted(c.before)} -> {_quoted(c.after)}"
        return text + (f", {c.note}" if c.note else "") + _roughly(c)
    value = c.after if c.kind == "added" else c.before
    if c.attribute:  # a part of a step
        return f"{_attribute(c.attribute)}: {value_text(value)}"
    if c.section == "steps":
        return value_text(value) if grouped else f"{c.label}: {value_text(value)}"
    if isinstance(value, str) and value == c.subject:  # a list item
        return value
    return f"{sub}: {value_text(value)}"


def _groups(changes: list[Change], whole_alone: bool) -> list[tuple[str, list[Change]]]:
    """Step changes under their step's label; whole steps added or removed stand alone when
    `whole_alone`."""
    out: list[tuple[str, list[Change]]] = []
    for c in changes:
        whole = c.kind in ("added", "removed") and not c.attribute
        head = c.label if c.section == "steps" and not (whole and whole_alone) else ""
        if head and out and out[-1][0] == head:
            out[-1][1].append(c)
        else:
            out.append((head, [c]))
    return out


def _when(t: datetime | None) -> str:
    return moment_text(t, t.tzinfo or UTC, with_zone=True) if t else "none"


def _impact_text(e: TicketImpact) -> str:
    step = f"step {e.step_no} ({e.state})" if e.step_no is not None else e.state
    if e.kind == "state_removed":
        what = f"its step {e.state} does not exist in the new revision"
    elif e.kind == "status_removed":
        what = f"its status {e.status} does not exist in the new revision"
    else:
        what = f"deadline moves {_when(e.old_due)} -> {_when(e.new_due)}"
    return f"{e.ticket_id}, {step}: {what}" + (f" ({e.note})" if e.note else "")


# -- terminal text ----------------------------------------------------------------------------


def render_text(result: DiffResult, color: bool = False) -> str:
    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    a, b = result.base, result.target
    lines = [
        style(f"{a.ref} -> {b.ref}", bold=True),
        f"  effective {a.effective} -> {b.effective}; content {a.content_hash[:12]} -> "
        f"{b.content_hash[:12]}; rules {', '.join(a.rulesets) or 'none'} -> "
        f"{', '.join(b.rulesets) or 'none'}",
        f"{len(result.changes)} change(s)" if result.changes else "no changes",
    ]
    for section, changes in result.by_section().items():
        lines.append("")
        lines.append(style(SECTIONS[section], bold=True))
        for head, group in _groups(changes, whole_alone=True):
            indent = "  "
            if head:
                lines.append(f"  {style(head, underline=True)}")
                indent = "    "
            for c in group:
                word = f"{c.kind} " if c.kind in ("renumbered", "moved") else ""
                text = f"{indent}{SIGNS[c.kind]} {word}{change_text(c)}"
                lines.append(style(text, fg=COLORS.get(c.kind, "magenta")))
    if result.impact is not None:
        lines += ["", *_impact_lines(result.impact, style)]
    return "\n".join(lines) + "\n"


def _impact_lines(impact: Impact, style: Callable[..., str]) -> list[str]:
    head = f"Impact on open tickets ({impact.checked} checked, {impact.skipped} skipped)"
    lines = [style(head, bold=True)]
    if not impact.entries:
        lines.append("  none affected")
    for e in impact.entries:
        fg = "yellow" if e.kind == "deadline_moves" else "red"
        lines.append(style(f"  ! {_impact_text(e)}", fg=fg))
    return lines


# -- Markdown ---------------------------------------------------------------------------------


def _md_code(text: str) -> str:
    return f"`{text}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: DiffResult) -> str:
    a, b = result.base, result.target
    out = [
        f"# SOP diff: {a.ref} → {b.ref}",
        "",
        "| | from | to |",
        "|---|---|---|",
        f"| revision | {a.revision} | {b.revision} |",
        f"| effective | {a.effective} | {b.effective} |",
        f"| content hash | `{a.content_hash[:16]}` | `{b.content_hash[:16]}` |",
        f"| rules files | {_cell(', '.join(a.rulesets))} | {_cell(', '.join(b.rulesets))} |",
        "",
        f"**{len(result.changes)} change(s).**" if result.changes else "**No changes.**",
    ]
    for section, changes in result.by_section().items():
        out += ["", f"## {SECTIONS[section]}"]
        for head, group in _groups(changes, whole_alone=False):
            out += ["", f"### {head}", ""] if head else [""] if out[-1].startswith("#") else []
            out += [f"- **{c.kind}** {change_text(c, _md_code, grouped=True)}" for c in group]
    if result.impact is not None:
        out += ["", *_impact_md(result.impact)]
    return "\n".join(out) + "\n"


def _impact_md(impact: Impact) -> list[str]:
    out = [
        "## Impact on open tickets",
        "",
        f"{impact.checked} open ticket(s) checked, {impact.skipped} skipped (closed or on "
        "another revision).",
        "",
    ]
    if not impact.entries:
        return [*out, "None affected."]
    out += ["| ticket | step | impact | old due | new due | note |", "|---|---|---|---|---|---|"]
    for e in impact.entries:
        step = f"{e.step_no} ({e.state})" if e.step_no is not None else e.state
        what = {
            "state_removed": "step no longer exists",
            "status_removed": f"status {e.status} no longer exists",
            "deadline_moves": "deadline moves",
        }[e.kind]
        cells = [e.ticket_id, step, what, _when(e.old_due), _when(e.new_due), e.note]
        out.append("| " + " | ".join(_cell(x) for x in cells) + " |")
    return out
