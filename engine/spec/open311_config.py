"""`sop/<sop-id>/integrations/open311.yaml`: the Open311 GeoReport v2 facade's settings.

(Placeholder: issue 14 item 1 fills it in.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from engine.spec.model import Spec
from engine.spec.report import Report

__all__ = ["Open311Config", "check_open311"]


@dataclass(frozen=True)
class Open311Config:
    pass


def check_open311(data: Any, specs: Sequence[Spec], report: Report) -> Open311Config | None:
    report.add("not_supported", (), "open311.yaml is not read yet")
    return None
