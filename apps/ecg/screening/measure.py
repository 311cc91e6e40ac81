"""Measurements on the median beat of a stretch of ECG: QRS onset, offset (J point) and width,
P wave and PR, T end and QT/QTc, ST deviation per lead at J+60 ms, and how alike the beats are
(a low likeness with a high dominant frequency is the signature of fibrillation)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

PRE_S = 0.40
POST_S = 0.70


@dataclass
class Template:
    """The median beat of each lead, with the fiducial at index `zero`."""

    beat: np.ndarray  # (leads, samples)
    zero: int
    fs: float
    likeness: float  # median correlation of single beats with the representative beat
    amplitude_cv: float  # beat-to-beat variation of the QRS amplitude (high in fibrillation)


@dataclass
class Intervals:
    qrs_onset: int | None = None  # indices into the template
    qrs_offset: int | None = None
    p_onset: int | None = None
    t_end: int | None = None
    qrs_ms: float | None = None
    pr_ms: float | None = None
    qt_ms: float | None = None
    st_j: dict[str, float] = field(default_factory=dict)
    st_j60: dict[str, float] = field(default_factory=dict)
    p_amplitude_mv: float = 0.0


def median_beat(data: np.ndarray, beats: np.ndarray, fs: float) -> Template | None:
    """The representative beat: the average of the beats that look like the dominant
    morphology (an ectopic beat that does not correlate with the first average is left out).
    Averaging twice costs far less than a per-sample median and rejects outliers as well."""
    pre, post = int(PRE_S * fs), int(POST_S * fs)
    inside = beats[(beats >= pre) & (beats < data.shape[1] - post)]
    if inside.size < 2:
        return None
    idx = inside[:, None] + np.arange(-pre, post)[None, :]
    segments = data[:, idx]  # (leads, beats, samples)
    core = slice(pre - int(0.08 * fs), pre + int(0.08 * fs))
    likeness = _likeness(segments[:, :, core], segments[:, :, core].mean(axis=1))
    dominant = likeness >= min(0.9, float(np.max(likeness)))
    beat = segments[:, dominant].mean(axis=1)
    final = _likeness(segments[:, :, core], beat[:, core])
    amplitude = np.ptp(segments[:, :, core], axis=2).sum(axis=0)
    amplitude_cv = float(np.std(amplitude) / max(float(np.mean(amplitude)), 1e-9))
    return Template(beat, pre, fs, float(np.median(final)), amplitude_cv)


def _likeness(segments: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Correlation of each beat (all leads together) with the template."""
    a = segments - segments.mean(axis=2, keepdims=True)
    b = (template - template.mean(axis=1, keepdims=True))[:, None, :]
    num = (a * b).sum(axis=(0, 2))
    den = np.sqrt((a * a).sum(axis=(0, 2)) * (b * b).sum(axis=(0, 2))) + 1e-12
    return num / den


def intervals(
    template: Template, leads: list[str], rr_s: float, rr_short_s: float | None = None
) -> Intervals:
    """`rr_s` is the typical RR; `rr_short_s` the short ones, which bound the T-wave search
    (in an irregular rhythm the next QRS falls early in some beats)."""
    beat, zero, fs = template.beat, template.zero, template.fs
    out = Intervals()
    velocity = np.abs(np.diff(beat, axis=1, prepend=beat[:, :1])).sum(axis=0) * fs
    search = int(0.16 * fs)
    window = velocity[zero - search : zero + search]
    peak = float(window.max())
    floor = float(np.percentile(velocity, 20))
    level = floor + 0.06 * (peak - floor)
    hold = max(1, int(0.02 * fs))  # a dip shorter than this (the R apex) is inside the QRS
    onset = zero
    while onset > zero - search and velocity[max(0, onset - hold) : onset + 1].max() > level:
        onset -= 1
    offset = zero
    while offset < zero + search and velocity[offset : offset + hold].max() > level:
        offset += 1
    out.qrs_onset, out.qrs_offset = onset, offset
    out.qrs_ms = (offset - onset) / fs * 1000
    base_lo, base_hi = max(0, onset - int(0.04 * fs)), max(1, onset - int(0.01 * fs))
    baseline = beat[:, base_lo:base_hi].mean(axis=1)
    j60 = min(beat.shape[1] - 1, offset + int(0.06 * fs))
    for i, lead in enumerate(leads):
        out.st_j60[lead] = round(float(beat[i, j60] - baseline[i]), 3)
        out.st_j[lead] = round(float(beat[i, offset] - baseline[i]), 3)
    out.t_end = _t_end(beat, baseline, offset, zero, fs, min(rr_s, rr_short_s or rr_s))
    if out.t_end is not None:
        out.qt_ms = (out.t_end - onset) / fs * 1000
    _p_wave(beat, leads, onset, fs, rr_s, out)
    return out


def _t_end(
    beat: np.ndarray, baseline: np.ndarray, j: int, zero: int, fs: float, rr_s: float
) -> int | None:
    """T end by the tangent method on leads with a clear T wave; the median over those leads.
    The T peak is looked for early enough in the cycle that the next P wave cannot pass for
    it; the descent after the peak may run later."""
    start = j + int(0.08 * fs)
    peak_stop = min(beat.shape[1] - 2, zero + int(min(0.5, 0.5 * rr_s + 0.05) * fs))
    stop = min(beat.shape[1] - 2, zero + int(min(0.75, 0.85 * rr_s) * fs))
    if peak_stop - start < int(0.06 * fs):
        return None
    seg = beat[:, start:stop] - baseline[:, None]
    head = seg[:, : peak_stop - start]
    amplitude = np.abs(head).max(axis=1)
    strong = np.flatnonzero(amplitude >= max(0.1, 0.4 * amplitude.max()))  # flat T: no end
    ends = []
    for i in strong:
        polarity = np.sign(head[i][np.argmax(np.abs(head[i]))])
        x = seg[i] * polarity
        top = int(np.argmax(x[: head.shape[1]]))
        after = x[top:]
        back = np.flatnonzero(after <= 0.2 * after[0])
        if back.size == 0:  # the T wave never returns to baseline here: no reliable end
            continue
        tail = np.diff(after[: back[0] + 2])
        if tail.size < 3:
            continue
        k = int(np.argmin(tail))  # steepest descent after the peak
        slope = float(tail[k])
        if slope >= 0:
            continue
        cross = top + k - x[top + k] / slope
        if top < cross < seg.shape[1] + int(0.05 * fs):
            ends.append(start + cross)
    if not ends:
        return None
    return round(float(np.median(ends)))


def _p_wave(
    beat: np.ndarray, leads: list[str], onset: int, fs: float, rr_s: float, out: Intervals
) -> None:
    """A P wave is looked for in II (else I, V1): a bump before the QRS that survives the
    median, i.e. one that keeps a fixed distance to the QRS."""
    lead = next((name for name in ("II", "I", "V1", "aVF") if name in leads), None)
    if lead is None or rr_s < 0.4:  # above 150 bpm the P wave hides in the previous T
        return
    x = beat[leads.index(lead)]
    lo = max(0, onset - int(min(0.32, 0.6 * rr_s) * fs))
    if out.t_end is not None:  # not before the end of the previous beat's T wave
        lo = max(lo, out.t_end - int(rr_s * fs) + int(0.02 * fs))
    hi = onset - int(0.03 * fs)
    if hi - lo < int(0.06 * fs):
        return
    ref = float(np.median(x[max(0, lo - int(0.04 * fs)) : lo + 1]))
    seg = x[lo:hi] - ref
    peak = int(np.argmax(np.abs(seg)))
    amplitude = float(seg[peak])
    out.p_amplitude_mv = round(abs(amplitude), 3)
    if abs(amplitude) < 0.05 or peak in (0, seg.size - 1):
        return
    sign = np.sign(amplitude)
    k = peak
    while k > 0 and sign * seg[k] > 0.15 * abs(amplitude):
        k -= 1
    out.p_onset = lo + k
    out.pr_ms = (onset - out.p_onset) / fs * 1000
