"""`sop/<sop-id>/integrations/exports.yaml`: hand-over exports to other systems.

(Placeholder: issue 14 item 4 fills it in.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.spec.model import Spec
from engine.spec.report import Report

__all__ = ["ExportDef", "check_exports"]


@dataclass(frozen=True)
class ExportDef:
    pass


def check_exports(data: Any, specs: Sequence[Spec], report: Report) -> Mapping[str, ExportDef]:
    report.add("not_supported", (), "exports.yaml is not read yet")
    return {}
