"""Automatic pre-screening of an ECG: quality, beats, measurements and suspected critical values.

`screen(signal)` returns a plain dict (stored as JSON on the exam, printed by `gongzhi ecg
screen`). Flags are suspicions with their evidence (time span, leads, figures), never a
diagnosis: the reading physician confirms or dismisses them.
"""

from __future__ import annotations

from typing import Any

from ..readers import EcgSignal
from .analysis import analyse

__all__ = ["analyse", "screen"]


def screen(
    sig: EcgSignal,
    thresholds: dict[str, Any] | None = None,
    *,
    sex: str = "",
    age: int | None = None,
) -> dict[str, Any]:
    result = analyse(sig, thresholds, sex=sex, age=age).as_dict()
    result["dropped_channels"] = list(sig.dropped)
    result["monitoring_leads"] = sig.monitoring_leads
    if sig.base_datetime:
        result["recorded_at"] = sig.base_datetime
    return result
