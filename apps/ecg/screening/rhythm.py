"""Rhythm features beyond the beat list: spectral organisation (fibrillation), atrial activity
independent of the QRS (complete AV block), and irregularity (atrial fibrillation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import signal

from .filters import smooth


@dataclass
class Spectrum:
    dominant_hz: float
    concentration: float  # share of 1–30 Hz power within ±1 Hz of the dominant frequency


def spectrum(data: np.ndarray, fs: float) -> Spectrum:
    n = data.shape[1]
    window = np.hanning(n)
    power = np.abs(np.fft.rfft((data - data.mean(axis=1, keepdims=True)) * window, axis=1)) ** 2
    total = power.sum(axis=0)
    freqs = np.fft.rfftfreq(n, 1 / fs)
    band = (freqs >= 1.0) & (freqs <= 30.0)
    if not band.any() or total[band].sum() <= 0:
        return Spectrum(0.0, 0.0)
    f_band, p_band = freqs[band], total[band]
    dominant = float(f_band[int(np.argmax(p_band))])
    near = np.abs(f_band - dominant) <= 1.0
    return Spectrum(dominant, float(p_band[near].sum() / p_band.sum()))


@dataclass
class AtrialActivity:
    waves: np.ndarray  # sample indices of P waves found outside the QRS–T
    atrial_rate: float | None
    pr_sd_s: float | None
    p_per_qrs: float


def atrial_activity(
    x: np.ndarray, beats: np.ndarray, fs: float, t_after_r_s: float
) -> AtrialActivity:
    """P waves outside the QRS–T complexes of one lead, and how they relate to the QRS."""
    n = x.size
    lp = smooth(x, max(1, int(0.06 * fs)))
    allowed = np.ones(n, dtype=bool)
    before, after = int(0.1 * fs), int((t_after_r_s + 0.04) * fs)
    for b in beats:
        allowed[max(0, b - before) : b + after] = False
    peaks, _ = signal.find_peaks(
        lp,
        prominence=0.05,
        distance=max(1, int(0.22 * fs)),
        width=(int(0.03 * fs), int(0.18 * fs)),
    )
    waves = peaks[allowed[peaks]]
    span = (beats[-1] - beats[0]) / fs if beats.size > 1 else n / fs
    p_per_qrs = waves.size / max(1, beats.size) * (n / fs) / max(span, 1e-6)
    if waves.size < 4:
        return AtrialActivity(waves, None, None, waves.size / max(1, beats.size))
    diffs = np.diff(waves) / fs
    # P waves hidden in a QRS–T leave gaps of two or more cycles: the shortest spacings are
    # the atrial cycle.
    short = diffs[diffs <= 1.3 * float(diffs.min())]
    pp = float(np.median(short)) if short.size else float(np.median(diffs))
    prs = []
    for b in beats:
        k = np.searchsorted(waves, b) - 1
        if k >= 0 and (b - waves[k]) / fs <= 1.2 * pp:
            prs.append((b - waves[k]) / fs)
    pr_sd = float(np.std(prs)) if len(prs) >= 3 else None
    return AtrialActivity(waves, 60.0 / pp if pp > 0 else None, pr_sd, p_per_qrs)


def irregularity(rr_s: np.ndarray) -> float:
    """Median absolute successive RR difference over the median RR (≈0 for sinus rhythm)."""
    if rr_s.size < 4:
        return 0.0
    return float(np.median(np.abs(np.diff(rr_s))) / np.median(rr_s))
