"""The screening pipeline: quality → beats → per-window measurements → flags."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..readers import STANDARD_LEADS, EcgSignal
from .beats import (
    BeatClasses,
    classify_beats,
    flat_share,
    missed_complexes,
    slope_signal,
    ventricular_runs,
)
from .filters import bandpass
from .flags import Flag, WindowFacts, rate_flags, st_caveat, vt_flags, window_flags
from .measure import Intervals, intervals, median_beat
from .qrs import detect_qrs
from .quality import LeadQuality, lead_quality
from .rhythm import atrial_activity, irregularity, spectrum
from .segments import segment_quality
from .thresholds import merged

WINDOW_S = 10.0
DERIVED_LEADS = {"III", "aVR", "aVL", "aVF"}
SEVERITY = {
    "vf": 100,
    "vt": 95,
    "avb3": 90,
    "stemi": 90,
    "pause": 85,
    "brady": 85,
    "sv_tachy": 80,
    "tachy": 75,
    "qtc": 70,
}


@dataclass
class Screening:
    fs: float
    duration_s: float
    leads: list[str]
    quality: list[LeadQuality]
    beats: np.ndarray
    flags: list[Flag] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)
    analysable: bool = True
    elapsed_ms: float = 0.0
    excluded: list[dict[str, Any]] = field(default_factory=list)
    ventricular: np.ndarray | None = None

    @property
    def critical(self) -> bool:
        return any(f.critical for f in self.flags)

    @property
    def priority(self) -> int:
        """Orders the reading queue: the most severe suspected critical value first."""
        critical = [SEVERITY.get(f.code, 60) for f in self.flags if f.critical]
        if critical:
            return 100 + max(critical)
        if self.flags:
            return 50
        return 10 if not self.analysable or any(q.problems for q in self.quality) else 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "fs": self.fs,
            "duration_s": round(self.duration_s, 2),
            "leads": self.leads,
            "analysable": self.analysable,
            "quality": [q.as_dict() for q in self.quality],
            "beats": self.beats.tolist(),
            "ventricular_beats": (
                [] if self.ventricular is None else np.flatnonzero(self.ventricular).tolist()
            ),
            "excluded": self.excluded,
            "excluded_s": round(sum(e["end_s"] - e["start_s"] for e in self.excluded), 2),
            "measurements": self.measurements,
            "flags": [f.as_dict() for f in self.flags],
            "critical": self.critical,
            "priority": self.priority,
            "elapsed_ms": round(self.elapsed_ms, 2),
        }


def _windows(n: int, fs: float) -> list[tuple[int, int]]:
    size = int(WINDOW_S * fs)
    if n <= 2 * size:
        return [(0, n)]
    edges = list(range(0, n - size // 2, size))
    return [(a, min(n, a + size) if a + 2 * size <= n else n) for a in edges if a < n]


def analyse(
    sig: EcgSignal,
    thresholds: dict[str, Any] | None = None,
    *,
    sex: str = "",
    age: int | None = None,
) -> Screening:
    started = time.perf_counter()
    limits = merged(thresholds)
    fs = sig.fs
    filtered = bandpass(sig.data, fs, 0.5, 40.0)
    quality = lead_quality(sig.data, filtered, fs, sig.leads)
    usable = [i for i, q in enumerate(quality) if q.usable]
    result = Screening(fs, sig.duration, sig.leads, quality, np.array([], dtype=np.int64))
    if not usable:
        result.analysable = False
        result.measurements = {"note": "没有可用于分析的导联"}
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result
    clean = [i for i in usable if quality[i].clean] or usable
    # III, aVR, aVL and aVF are sums of I and II: they add cost to the detector, not beats.
    independent = [i for i in clean if sig.leads[i] not in DERIVED_LEADS]
    detect_on = independent if len(independent) >= 3 else clean
    segq = segment_quality(sig.data[usable], filtered[usable], fs)
    detect_local = [usable.index(i) for i in detect_on]
    bad = segq.lead_mask(sig.n_samples)
    beats = detect_qrs(filtered[detect_on], fs, bad[detect_local]).beats
    excluded_seg = segq.excluded(detect_local)
    if beats.size:
        beats = beats[~excluded_seg[np.minimum(beats // segq.seg, excluded_seg.size - 1)]]
    result.beats = beats
    result.excluded = segq.spans(detect_local, fs)
    excluded = segq.sample_mask(detect_local, sig.n_samples)
    if excluded.mean() > 0.8:
        result.analysable = False
        result.measurements = {"note": "信号大部分为伪差或无信号，无法分析"}
        result.elapsed_ms = (time.perf_counter() - started) * 1000
        return result
    leads = [sig.leads[i] for i in usable]
    usable_data = np.where(bad, 0.0, filtered[usable])
    own = [k for k, lead in enumerate(leads) if lead not in DERIVED_LEADS] or list(
        range(len(leads))
    )
    slope = slope_signal(usable_data[own], fs)
    classes = classify_beats(usable_data, beats, fs, limits["wide_qrs_ms"], slope)
    result.ventricular = classes.ventricular
    facts = [
        _window_facts(
            usable_data, leads, beats, fs, a, b, classes, excluded, slope, sex=sex, age=age
        )
        for a, b in _windows(sig.n_samples, fs)
    ]
    detection_leads = [sig.leads[i] for i in detect_on]
    gaps = _gaps(beats, excluded)
    flags = rate_flags(beats, fs, sig.n_samples, limits, detection_leads, gaps)
    missed = missed_complexes(usable_data, beats, classes, fs, min_rate=limits["wct_min_bpm"])
    run_beats, run_classes = beats, classes
    if missed.size:
        run_beats = np.sort(np.concatenate((beats, missed)))
        run_classes = classify_beats(usable_data, run_beats, fs, limits["wide_qrs_ms"], slope)
    runs = ventricular_runs(
        run_beats,
        run_classes,
        fs,
        min_beats=int(limits["run_beats"]),
        min_rate=limits["wct_min_bpm"],
        excluded=excluded_seg,
        seg=segq.seg,
    )
    flags.extend(vt_flags(runs, run_beats, fs, limits, leads))
    window_found = [window_flags(window, limits, leads) for window in facts]
    for found in _af_persistent(facts, window_found):
        flags.extend(found)
    flags.extend(st_caveat(facts, classes, leads, limits))
    result.flags = _without_artefacts(flags)
    result.measurements = _summary(beats, fs, facts, sig.n_samples, gaps)
    result.elapsed_ms = (time.perf_counter() - started) * 1000
    return result


def _af_persistent(facts: list[WindowFacts], found: list[list[Flag]]) -> list[list[Flag]]:
    """AF does not come and go within one strip: the AF warning stays only when it is raised on
    more than half of the windows that can judge it (>= 6 RR, < 20 % excluded). One window made
    irregular by false extra beats (noise, a tall T wave) or a few ectopic beats is not AF."""
    judged = [w.rr.size >= 6 and w.excluded_share < 0.2 for w in facts]
    af = [any(f.code == "warn_af" for f in flags) for flags in found]
    if 2 * sum(af) > sum(judged):
        return found
    return [[f for f in flags if f.code != "warn_af"] for flags in found]


def _gaps(beats: np.ndarray, excluded: np.ndarray) -> np.ndarray:
    """For each RR interval: does it cross an excluded stretch (then it measures nothing)?"""
    if beats.size < 2:
        return np.zeros(0, dtype=bool)
    counts = np.concatenate(([0], np.cumsum(excluded)))
    return (counts[beats[1:]] - counts[beats[:-1]]) > 0


def _window_facts(
    data: np.ndarray,
    leads: list[str],
    beats: np.ndarray,
    fs: float,
    a: int,
    b: int,
    classes: BeatClasses,
    excluded: np.ndarray,
    slope: np.ndarray,
    *,
    sex: str,
    age: int | None,
) -> WindowFacts:
    chosen = (beats >= a) & (beats < b)
    inside = beats[chosen]
    gaps = _gaps(inside, excluded)
    rr = (np.diff(inside) / fs)[~gaps] if inside.size > 1 else np.zeros(0)
    facts = WindowFacts(start=a / fs, end=b / fs, beats=inside, rr=rr, sex=sex, age=age)
    facts.excluded_share = float(excluded[a:b].mean()) if b > a else 0.0
    facts.ventricular_share = float(classes.ventricular[chosen].mean()) if inside.size else 0.0
    facts.wide_share = float((classes.width_ms[chosen] >= 120).mean()) if inside.size else 0.0
    facts.monitoring = all(lead not in STANDARD_LEADS for lead in leads)
    facts.beat_span_s = float(inside[-1] - inside[0]) / fs if inside.size > 1 else 0.0
    facts.spectrum = spectrum(data[:, a:b], fs)
    facts.flat_share = flat_share(slope[a:b], fs)
    facts.irregularity = irregularity(rr)
    good_s = (b - a) / fs * (1.0 - facts.excluded_share)
    if rr.size:
        facts.rate = 60.0 / float(np.mean(rr))
    elif inside.size <= 1 and good_s >= 0.8 * (b - a) / fs:
        facts.rate = 60.0 * inside.size / max(good_s, 1e-6)
    template = median_beat(data, inside, fs) if inside.size >= 2 else None
    if template is None:
        return facts
    facts.likeness = template.likeness
    rr_median = float(np.median(rr)) if rr.size else 1.0
    rr_short = float(np.percentile(rr, 10)) if rr.size else rr_median
    facts.intervals = intervals(template, leads, rr_median, rr_short)
    facts.amplitude_cv = template.amplitude_cv
    facts.rr_median = rr_median
    lead = next((name for name in ("II", "I", "V1", "aVF") if name in leads), leads[0])
    t_after = _t_after_r(facts.intervals, template.zero, fs)
    facts.atrial = atrial_activity(data[leads.index(lead), a:b], inside - a, fs, t_after)
    facts.atrial_lead = lead
    facts.axis = _axis(template.beat, leads, facts.intervals)
    facts.rbbb = _rbbb(template.beat, leads, facts.intervals, fs)
    return facts


def _rbbb(beat: np.ndarray, leads: list[str], iv: Intervals, fs: float) -> bool | None:
    """A wide QRS whose last 40 ms point up in V1 (the R' of right bundle branch block); None
    without V1 or a measured QRS."""
    if "V1" not in leads or iv.qrs_onset is None or iv.qrs_offset is None:
        return None
    x = beat[leads.index("V1")]
    base = float(x[max(0, iv.qrs_onset - int(0.02 * fs)) : iv.qrs_onset + 1].mean())
    tail = x[max(iv.qrs_onset, iv.qrs_offset - int(0.04 * fs)) : iv.qrs_offset + 1] - base
    return bool(tail.size and float(tail.mean()) > 0.05)


def _t_after_r(iv: Intervals, zero: int, fs: float) -> float:
    if iv.t_end is not None:
        return (iv.t_end - zero) / fs
    return 0.4


def _axis(beat: np.ndarray, leads: list[str], iv: Intervals) -> float | None:
    """Frontal QRS axis from the net QRS areas of I and aVF."""
    if "I" not in leads or "aVF" not in leads or iv.qrs_onset is None or iv.qrs_offset is None:
        return None
    qrs = slice(iv.qrs_onset, iv.qrs_offset + 1)
    lead_i = float(beat[leads.index("I"), qrs].sum())
    lead_avf = float(beat[leads.index("aVF"), qrs].sum())
    return round(float(np.degrees(np.arctan2(lead_avf, lead_i))), 0)


def _without_artefacts(flags: list[Flag]) -> list[Flag]:
    """Inside a stretch flagged as fibrillation, the 'beats' are fibrillation waves: rate,
    interval and ST flags there would only repeat the same finding with wrong numbers."""
    vf_spans = [(f.start_s, f.end_s) for f in flags if f.code == "vf"]
    kept = []
    for flag in flags:
        inside_vf = any(a <= flag.start_s and flag.end_s <= b for a, b in vf_spans)
        if flag.code != "vf" and inside_vf:
            continue
        kept.append(flag)
    return sorted(
        _merged(kept), key=lambda f: (-int(f.critical), -SEVERITY.get(f.code, 0), f.start_s)
    )


def _merged(flags: list[Flag]) -> list[Flag]:
    """Window flags of the same kind on adjacent windows become one flag over the whole run."""
    out: list[Flag] = []
    for flag in sorted(flags, key=lambda f: (f.code, f.start_s)):
        last = out[-1] if out else None
        if (
            last
            and last.code == flag.code
            and flag.start_s <= last.end_s + 0.01
            and (flag.code not in ("pause", "warn_pause", "tachy"))
        ):
            last.end_s = max(last.end_s, flag.end_s)
            last.values["windows"] = last.values.get("windows", 1) + 1
            continue
        out.append(flag)
    return out


def _r(value: float | None, digits: int = 0) -> float | None:
    return None if value is None else round(float(value), digits)


def _summary(
    beats: np.ndarray, fs: float, facts: list[WindowFacts], n: int, gaps: np.ndarray
) -> dict[str, Any]:
    rr = np.where(gaps, np.nan, np.diff(beats) / fs) if beats.size > 1 else np.zeros(0)
    out: dict[str, Any] = {"beat_count": int(beats.size)}
    if rr.size and np.isfinite(rr).any():
        longest = int(np.nanargmax(rr))
        rr_all = rr
        rr = rr[np.isfinite(rr)]
        out.update(
            heart_rate=_r(60.0 / float(np.mean(rr))),
            rr_mean_ms=_r(float(np.mean(rr)) * 1000),
            rr_sd_ms=_r(float(np.std(rr)) * 1000),
            rr_min_ms=_r(float(rr.min()) * 1000),
            rr_max_ms=_r(float(rr.max()) * 1000),
            longest_rr={
                "ms": _r(float(rr_all[longest]) * 1000),
                "start_s": _r(beats[longest] / fs, 2),
                "end_s": _r(beats[longest + 1] / fs, 2),
            },
        )
    else:
        out["heart_rate"] = _r(60.0 * beats.size / (n / fs))
    measured = [w for w in facts if w.intervals is not None]
    if not measured:
        return out

    def median_of(getter: Any) -> float | None:
        values = [v for v in (getter(w) for w in measured) if v is not None]
        return float(np.median(values)) if values else None

    qt = median_of(lambda w: w.intervals.qt_ms)
    rr_med = median_of(lambda w: w.rr_median)
    out.update(
        qrs_ms=_r(median_of(lambda w: w.intervals.qrs_ms)),
        pr_ms=_r(median_of(lambda w: w.intervals.pr_ms)),
        qt_ms=_r(qt),
        qtc_ms=_r(qt / np.sqrt(rr_med)) if qt and rr_med else None,
        qtc_fridericia_ms=_r(qt / np.cbrt(rr_med)) if qt and rr_med else None,
        axis_deg=median_of(lambda w: w.axis),
        st_j60_mv=measured[0].intervals.st_j60,
        p_wave=measured[0].intervals.pr_ms is not None,
    )
    if len(facts) > 1:
        out["windows"] = [w.summary() for w in facts]
    return out
