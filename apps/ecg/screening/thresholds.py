"""Critical-value thresholds of the screening, after the Chinese 2017 expert consensus on ECG
critical values. A county may override any of them (provincial lists differ): the overrides
live in `ecg.EcgCentre.thresholds` and are merged over these defaults."""

from collections.abc import Mapping
from typing import Any

DEFAULT_THRESHOLDS: dict[str, float] = {
    "tachy_bpm": 150,  # any run at or above this rate
    "sv_tachy_bpm": 200,  # narrow-complex run at or above this rate
    "brady_mean_bpm": 35,  # mean ventricular rate at or below this
    "pause_s": 3.0,  # an RR interval at least this long
    "qtc_ms": 550,  # QTc (Bazett) at or above this
    "wide_qrs_ms": 120,  # QRS at or above this is wide
    "wct_min_bpm": 100,  # wide-complex rhythm at or above this rate is a tachycardia
    "wct_min_s": 10.0,  # sustained: the run lasts this long (or the whole strip)
    "run_beats": 5,  # rate flags need this many consecutive beats
    "st_v2v3_men_mv": 0.2,  # STEMI: V2–V3, men ≥ 40
    "st_v2v3_young_men_mv": 0.25,  # men < 40
    "st_v2v3_women_mv": 0.15,
    "st_other_mv": 0.1,  # all other leads
    # warnings (预警): not critical, but they move an exam up the queue
    "warn_tachy_bpm": 100,
    "warn_brady_bpm": 50,
    "warn_qtc_ms": 480,
    "warn_pause_s": 2.0,
}


def merged(overrides: Mapping[str, Any] | None) -> dict[str, float]:
    values = dict(DEFAULT_THRESHOLDS)
    for key, value in (overrides or {}).items():
        if key in values and value is not None:
            values[key] = float(value)
    return values


def threshold_errors(overrides: Mapping[str, Any]) -> dict[str, str]:
    """Chinese messages for unknown keys or non-positive values."""
    errors = {}
    for key, value in overrides.items():
        if key not in DEFAULT_THRESHOLDS:
            errors[key] = f"未知的阈值“{key}”"
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            errors[key] = f"阈值“{key}”应为数字"
            continue
        if number <= 0:
            errors[key] = f"阈值“{key}”应大于 0"
    return errors
