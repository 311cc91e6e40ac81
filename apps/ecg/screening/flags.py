"""Suspected critical values (危急值) and warnings (预警), each with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .measure import Intervals
from .rhythm import AtrialActivity, Spectrum

LABELS = {
    "vf": "疑似心室颤动/心室扑动",
    "vt": "疑似室性心动过速（连续≥{run_beats:g}个宽QRS/室性心搏，心室率≥{wct_min_bpm:g}次/分）",
    "tachy": "心室率≥{tachy_bpm:g}次/分",
    "sv_tachy": "疑似室上性心动过速，心室率≥{sv_tachy_bpm:g}次/分",
    "brady": "平均心室率≤{brady_mean_bpm:g}次/分",
    "pause": "长RR间期（停搏）≥{pause_s:g}秒",
    "avb3": "疑似三度房室传导阻滞",
    "stemi": "ST段抬高达到STEMI标准（疑似急性心肌梗死）",
    "qtc": "QTc≥{qtc_ms:g}ms",
    "warn_tachy": "心动过速",
    "warn_brady": "心动过缓",
    "warn_pause": "长RR间期≥{warn_pause_s:g}秒",
    "warn_qtc": "QTc延长",
    "warn_af": "RR间期绝对不齐，疑似心房颤动",
    "warn_wide": "QRS波增宽",
    "st_unjudged": "宽QRS（左束支阻滞或起搏心律可能），ST段无法自动判断",
}

MAX_RUN_BPM = 300.0  # faster 'intervals' inside a fast run are artefacts (as for VT runs)
AF_IRREGULARITY = 0.12  # median successive RR change over the median RR, for the AF warning

# Contiguous lead pairs for the STEMI criterion (inferior, lateral, precordial neighbours).
CONTIGUOUS = (
    ("II", "III"),
    ("II", "aVF"),
    ("III", "aVF"),
    ("I", "aVL"),
    ("V1", "V2"),
    ("V2", "V3"),
    ("V3", "V4"),
    ("V4", "V5"),
    ("V5", "V6"),
)


@dataclass
class Flag:
    code: str
    critical: bool
    start_s: float
    end_s: float
    leads: list[str]
    evidence: str
    label: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "label": self.label,
            "critical": self.critical,
            "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2),
            "leads": self.leads,
            "evidence": self.evidence,
            "values": self.values,
        }


@dataclass
class WindowFacts:
    start: float
    end: float
    beats: np.ndarray
    rr: np.ndarray
    sex: str = ""
    age: int | None = None
    rate: float | None = None
    rr_median: float | None = None
    irregularity: float = 0.0
    likeness: float | None = None
    spectrum: Spectrum | None = None
    intervals: Intervals | None = None
    atrial: AtrialActivity | None = None
    atrial_lead: str = ""
    axis: float | None = None
    beat_span_s: float = 0.0
    amplitude_cv: float = 0.0
    excluded_share: float = 0.0  # share of the window excluded as artefact or no signal
    ventricular_share: float = 0.0
    wide_share: float = 0.0
    monitoring: bool = False  # only monitoring leads: no known electrode position
    flat_share: float = 1.0  # share of near-still signal (isoelectric line)
    rbbb: bool | None = None  # wide QRS with a terminal positive deflection in V1

    def summary(self) -> dict[str, Any]:
        iv = self.intervals
        return {
            "start_s": round(self.start, 1),
            "end_s": round(self.end, 1),
            "heart_rate": None if self.rate is None else round(self.rate),
            "qrs_ms": None if iv is None or iv.qrs_ms is None else round(iv.qrs_ms),
        }


def _flag(
    code: str,
    critical: bool,
    a: float,
    b: float,
    leads: list[str],
    evidence: str,
    limits: dict[str, float],
    **values: Any,
) -> Flag:
    label = LABELS[code].format(**limits)
    return Flag(code, critical, a, b, leads, evidence, label, values)


def _runs(mask: np.ndarray, min_length: int) -> list[tuple[int, int]]:
    """(first, last) index pairs of runs of True at least `min_length` long."""
    if not mask.any():
        return []
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(int(s), int(e) - 1) for s, e in zip(starts, stops, strict=True) if e - s >= min_length]


def rate_flags(
    beats: np.ndarray,
    fs: float,
    n: int,
    limits: dict[str, float],
    leads: list[str],
    gaps: np.ndarray | None = None,
) -> list[Flag]:
    """Runs of fast beats and long RR intervals over the whole record. An interval that
    crosses an excluded stretch (artefact, no signal) measures nothing: it is neither a
    pause nor part of a run. A run's label and its evidence use the same figure: every
    interval of the run is at the rate, and the rate given is the run's mean."""
    flags: list[Flag] = []
    if beats.size < 2:
        return flags
    rr = np.diff(beats) / fs
    gaps = np.zeros(rr.size, dtype=bool) if gaps is None else gaps
    hr = 60.0 / rr
    need = int(limits["run_beats"]) - 1
    # an interval under 200 ms (> 300/min) is a false detection (noise, a spike), not a beat
    # of a fast rhythm: it breaks the run (fibrillation is judged on the spectrum instead)
    fast = (hr >= limits["tachy_bpm"]) & (hr <= MAX_RUN_BPM) & ~gaps
    for s, e in _runs(fast, need):
        a, b = beats[s] / fs, beats[e + 1] / fs
        rate = float(60.0 / np.mean(rr[s : e + 1]))
        flags.append(
            _flag(
                "tachy",
                True,
                a,
                b,
                leads,
                f"{e - s + 2}个心搏连续，平均心室率{rate:.0f}次/分",
                limits,
                heart_rate=round(rate),
            )
        )
    for i in np.flatnonzero((rr >= limits["warn_pause_s"]) & ~gaps):
        a, b = beats[i] / fs, beats[i + 1] / fs
        critical = bool(rr[i] >= limits["pause_s"])
        flags.append(
            _flag(
                "pause" if critical else "warn_pause",
                critical,
                a,
                b,
                leads,
                f"RR间期{rr[i]:.2f}秒（{a:.1f}–{b:.1f}秒）",
                limits,
                rr_s=round(float(rr[i]), 2),
            )
        )
    return flags


def vt_flags(
    runs: list[Any], beats: np.ndarray, fs: float, limits: dict[str, float], leads: list[str]
) -> list[Flag]:
    """One vt flag per run of ≥ run_beats consecutive wide/ventricular beats above the rate."""
    flags = []
    for run in runs:
        a, b = beats[run.first] / fs, beats[run.last] / fs
        count = run.last - run.first + 1
        flags.append(
            _flag(
                "vt",
                True,
                a,
                b,
                leads,
                f"{count}个宽QRS/室性心搏连续（{a:.1f}–{b:.1f}秒），QRS约{run.width_ms:.0f}ms，"
                f"心室率{run.rate:.0f}次/分",
                limits,
                beats=count,
                qrs_ms=round(run.width_ms),
                heart_rate=round(run.rate),
            )
        )
    return flags


def st_caveat(
    facts: list[WindowFacts], classes: Any, leads: list[str], limits: dict[str, float]
) -> list[Flag]:
    """With a wide QRS that is not right bundle branch block (left bundle branch block or a
    paced rhythm) the ST segment cannot be judged by the STEMI rule: say so once."""
    if not any(pair[0] in leads and pair[1] in leads for pair in CONTIGUOUS):
        return []
    for w in facts:
        iv = w.intervals
        if iv is None or iv.qrs_ms is None or w.excluded_share > 0.5:
            continue
        slow = (w.rate or 0) < limits["wct_min_bpm"]
        if iv.qrs_ms >= limits["wide_qrs_ms"] and w.rbbb is False and slow:
            return [
                _flag(
                    "st_unjudged",
                    False,
                    w.start,
                    w.end,
                    [],
                    f"QRS时限{iv.qrs_ms:.0f}ms，V1导联终末向量非正向：左束支阻滞或起搏心律时"
                    "ST段改变不能按STEMI标准判断，请医师人工判读",
                    limits,
                )
            ]
    return []


def window_flags(w: WindowFacts, limits: dict[str, float], leads: list[str]) -> list[Flag]:
    flags: list[Flag] = []
    if w.excluded_share > 0.5:  # mostly artefact or no signal: nothing to judge here
        return flags
    if _fibrillation(w, limits):
        spec = w.spectrum
        assert spec is not None
        flags.append(
            _flag(
                "vf",
                True,
                w.start,
                w.end,
                leads,
                f"无规则可辨的QRS波群，主频{spec.dominant_hz:.1f}Hz"
                f"（约{spec.dominant_hz * 60:.0f}次/分），频谱集中度{spec.concentration:.2f}",
                limits,
                dominant_hz=round(spec.dominant_hz, 2),
            )
        )
        return flags
    iv, rate = w.intervals, w.rate
    wide = iv is not None and iv.qrs_ms is not None and iv.qrs_ms >= limits["wide_qrs_ms"]
    if rate is not None and rate <= limits["brady_mean_bpm"] and w.excluded_share < 0.2:
        flags.append(
            _flag(
                "brady",
                True,
                w.start,
                w.end,
                leads,
                f"{w.start:.0f}–{w.end:.0f}秒平均心室率{rate:.0f}次/分",
                limits,
                heart_rate=round(rate),
            )
        )
    if iv is None or rate is None:
        return flags
    if not wide and rate >= limits["sv_tachy_bpm"] and w.irregularity < 0.1:
        flags.append(
            _flag(
                "sv_tachy",
                True,
                w.start,
                w.end,
                leads,
                f"窄QRS（{iv.qrs_ms:.0f}ms），心室率{rate:.0f}次/分，节律规整",
                limits,
                heart_rate=round(rate),
            )
        )
    if not w.monitoring:
        flags.extend(_avb3(w, limits))
        flags.extend(_stemi(w, limits, wide and not w.rbbb))
    flags.extend(_qtc(w, limits, wide))
    flags.extend(_warnings(w, limits, leads, wide))
    return flags


def _fibrillation(w: WindowFacts, limits: dict[str, float]) -> bool:
    """Fibrillation/flutter: the power sits in one band of 2.5–10 Hz, there is no narrow QRS,
    and there are no organised complexes: a regular rhythm of one repeated complex (paced,
    bundle branch block, bigeminy, a wide-complex tachycardia) is never fibrillation. The
    waves must vary in size and spacing and not look like one complex; or, for flutter, be
    a sine-like wave at ≥ 240/min with no isoelectric line between them."""
    spec, iv = w.spectrum, w.intervals
    if spec is None or not 2.5 <= spec.dominant_hz <= 10.0 or spec.concentration < 0.3:
        return False
    if w.excluded_share > 0.2:
        return False
    qrs_ms = iv.qrs_ms if iv is not None else None
    if qrs_ms is not None and qrs_ms < limits["wide_qrs_ms"]:
        return False
    likeness = w.likeness if w.likeness is not None else 0.0
    sine = spec.dominant_hz >= 4.0 and spec.concentration >= 0.5 and w.flat_share < 0.15
    if sine:
        return True
    organised = likeness >= 0.75 and w.irregularity < 0.15 and w.flat_share >= 0.15
    if organised:
        return False
    # fibrillation has no isoelectric line: complexes separated by baseline (bigeminy,
    # ectopy among sinus beats) are not fibrillation however varied they are
    chaotic = w.amplitude_cv >= 0.25 or w.irregularity >= 0.15
    return likeness < 0.6 and chaotic and w.flat_share < 0.3


def _avb3(w: WindowFacts, limits: dict[str, float]) -> list[Flag]:
    atrial, rate = w.atrial, w.rate
    if atrial is None or atrial.atrial_rate is None or rate is None or atrial.pr_sd_s is None:
        return []
    # P waves hidden in the QRS–T can halve the apparent atrial rate; a PR that wanders by
    # more than 100 ms with a slow regular ventricle still means the two are dissociated.
    faster = atrial.atrial_rate >= 1.4 * rate and atrial.pr_sd_s >= 0.08
    wandering = atrial.waves.size >= 4 and atrial.pr_sd_s >= 0.1
    dissociated = rate < 60 and w.irregularity < 0.1 and (faster or wandering)
    if not dissociated:
        return []
    return [
        _flag(
            "avb3",
            True,
            w.start,
            w.end,
            [w.atrial_lead],
            f"P波频率{atrial.atrial_rate:.0f}次/分与心室率{rate:.0f}次/分无固定关系"
            f"（PR间期标准差{atrial.pr_sd_s * 1000:.0f}ms），心室节律规整",
            limits,
            atrial_rate=round(atrial.atrial_rate),
            heart_rate=round(rate),
        )
    ]


def _v2v3_limit(w: WindowFacts, limits: dict[str, float]) -> float:
    if w.sex == "F":
        return limits["st_v2v3_women_mv"]
    if w.age is not None and w.age < 40 and w.sex == "M":
        return limits["st_v2v3_young_men_mv"]
    return limits["st_v2v3_men_mv"]


def _stemi(w: WindowFacts, limits: dict[str, float], wide: bool) -> list[Flag]:
    iv = w.intervals
    if iv is None or wide:
        return []
    v2v3 = _v2v3_limit(w, limits)

    def elevated(lead: str) -> bool:
        limit = v2v3 if lead in ("V2", "V3") else limits["st_other_mv"]
        return lead in iv.st_j and iv.st_j[lead] >= limit and iv.st_j60.get(lead, 0) >= limit / 2

    hits = sorted(
        {lead for pair in CONTIGUOUS if all(elevated(x) for x in pair) for lead in pair},
        key=list(iv.st_j).index,
    )
    if not hits:
        return []
    detail = "、".join(f"{lead} {iv.st_j[lead]:+.2f}mV" for lead in hits)
    return [
        _flag(
            "stemi",
            True,
            w.start,
            w.end,
            hits,
            f"相邻导联ST段抬高：{detail}",
            limits,
            st_mv={lead: iv.st_j[lead] for lead in hits},
        )
    ]


def _qtc(w: WindowFacts, limits: dict[str, float], wide: bool) -> list[Flag]:
    iv = w.intervals
    if iv is None or iv.qt_ms is None or not w.rr_median or wide or (w.rate or 0) >= 150:
        return []
    if w.irregularity >= 0.08:  # QT in an irregular rhythm: no single RR to correct by
        return []
    qtc = iv.qt_ms / np.sqrt(w.rr_median)
    if qtc >= limits["qtc_ms"] and not w.monitoring:
        code, critical = "qtc", True
    elif qtc >= limits["warn_qtc_ms"]:
        code, critical = "warn_qtc", False
    else:
        return []
    return [
        _flag(
            code,
            critical,
            w.start,
            w.end,
            [],
            f"QT {iv.qt_ms:.0f}ms，RR {w.rr_median * 1000:.0f}ms，QTc(Bazett) {qtc:.0f}ms",
            limits,
            qtc_ms=round(float(qtc)),
        )
    ]


def _warnings(w: WindowFacts, limits: dict[str, float], leads: list[str], wide: bool) -> list[Flag]:
    flags: list[Flag] = []
    rate, iv = w.rate or 0, w.intervals
    if limits["warn_tachy_bpm"] <= rate < limits["tachy_bpm"]:
        flags.append(
            _flag("warn_tachy", False, w.start, w.end, leads, f"平均心室率{rate:.0f}次/分", limits)
        )
    if limits["brady_mean_bpm"] < rate <= limits["warn_brady_bpm"]:
        flags.append(
            _flag("warn_brady", False, w.start, w.end, leads, f"平均心室率{rate:.0f}次/分", limits)
        )
    no_p = iv is not None and iv.pr_ms is None
    if w.irregularity >= AF_IRREGULARITY and no_p and w.rr.size >= 6 and w.excluded_share < 0.2:
        flags.append(
            _flag(
                "warn_af",
                False,
                w.start,
                w.end,
                leads,
                f"RR间期不规则（相邻差/中位RR={w.irregularity:.2f}），未见固定P波",
                limits,
            )
        )
    if wide and rate < limits["wct_min_bpm"] and iv is not None:
        flags.append(
            _flag("warn_wide", False, w.start, w.end, leads, f"QRS时限{iv.qrs_ms:.0f}ms", limits)
        )
    return flags
