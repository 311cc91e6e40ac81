"""Multi-lead QRS detection that holds from 20 to 300 bpm and across pauses.

The detection signal is the spatial slope energy: each usable lead is band-passed (5–20 Hz),
differentiated and squared, the leads are summed and integrated over 100 ms. Peaks of that
envelope are classified with adaptive signal and noise levels (the Pan–Tompkins idea), with a
refractory period short enough for 300 bpm, a T-wave test on close candidates, and a
search-back for beats missed after a long silence. An RR that stays long is a real pause: the
search-back only accepts candidates clearly above the noise level.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np
from scipy import signal

from .filters import smooth

REFRACTORY_S = 0.18  # 300 bpm is one beat every 200 ms
T_WAVE_WINDOW_S = 0.36


@dataclass
class Detection:
    beats: np.ndarray  # sample indices of the fiducial point (steepest QRS slope)
    envelope: np.ndarray
    energy: np.ndarray


def detection_signals(data: np.ndarray, fs: float) -> tuple[np.ndarray, np.ndarray]:
    """`data` is already band-passed 0.5–40 Hz; smoothing over 20 ms and a slope over 10 ms
    make the 5–20 Hz emphasis of the QRS."""
    band = smooth(data, max(1, int(0.02 * fs)))
    step = max(1, int(0.005 * fs))
    slope = np.zeros_like(band)
    slope[..., step:-step] = (band[..., 2 * step :] - band[..., : -2 * step]) * (fs / (2 * step))
    energy = np.sum(slope * slope, axis=0) if slope.ndim == 2 else slope * slope
    envelope = smooth(energy, max(1, int(0.1 * fs)))
    return energy, envelope


def detect_qrs(data: np.ndarray, fs: float, bad: np.ndarray | None = None) -> Detection:
    """Beat positions in a (leads, samples) array of usable leads. `bad` (same shape) marks
    the stretches of each lead judged unusable: they add nothing to the detection signal,
    so an artefact burst neither makes beats nor raises the levels."""
    if bad is not None and bad.any():
        data = np.where(bad, 0.0, data)
    energy, envelope = detection_signals(data, fs)
    peaks, _ = signal.find_peaks(envelope, distance=max(1, int(REFRACTORY_S * fs)))
    if peaks.size == 0:
        return Detection(np.array([], dtype=np.int64), envelope, energy)
    heights = envelope[peaks]
    accepted = _classify(peaks, heights, energy, fs)
    beats = _refine(np.array(accepted, dtype=np.int64), energy, fs)
    beats = _drop_extras(beats, energy, data, fs)
    return Detection(beats, envelope, energy)


def _drop_extras(beats: np.ndarray, energy: np.ndarray, data: np.ndarray, fs: float) -> np.ndarray:
    """A 'beat' that comes early and splits an ordinary RR interval (no compensatory pause
    follows) and that looks neither like the dominant beat nor like either neighbour, or is
    much less steep than both, is a T wave or an artefact spike, not a QRS. A premature
    beat is followed by a pause; the beats of a run of VT look like each other; the beats of
    atrial fibrillation look like the dominant one: none of them is dropped."""
    if beats.size < 5:
        return beats
    half = int(0.05 * fs)
    idx = np.clip(beats[:, None] + np.arange(-half, half + 1)[None, :], 0, energy.size - 1)
    slope = energy[idx].max(axis=1)
    core = int(0.1 * fs)
    padded = np.pad(data if data.ndim == 2 else data[None, :], ((0, 0), (core, core)))
    shapes = padded[:, beats[:, None] + np.arange(0, 2 * core)[None, :]]  # (leads, beats, t)
    shapes = shapes - shapes.mean(axis=2, keepdims=True)
    flat = shapes.transpose(1, 0, 2).reshape(beats.size, -1)
    flat = flat / (np.linalg.norm(flat, axis=1, keepdims=True) + 1e-12)
    dominant = np.median(flat, axis=0)
    dominant = dominant / (np.linalg.norm(dominant) + 1e-12)
    like_dominant = flat @ dominant
    like_next = np.einsum("ij,ij->i", flat[:-1], flat[1:])
    keep = np.ones(beats.size, dtype=bool)
    rr = np.diff(beats).astype(np.float64)
    last = 0
    for i in range(1, beats.size - 1):
        lo, hi = max(0, i - 8), min(rr.size, i + 8)
        local = float(np.median(rr[lo:hi]))
        before, after = beats[i] - beats[last], beats[i + 1] - beats[i]
        early = before < 0.6 * local and before + after < 1.5 * local
        stranger = like_dominant[i] < 0.5 and max(like_next[i - 1], like_next[i]) < 0.5
        faint = slope[i] < 0.4 * min(slope[last], slope[i + 1])
        if early and (stranger or faint):
            keep[i] = False
            continue
        last = i
    return beats[keep]


def _initial_levels(peaks: np.ndarray, heights: np.ndarray, fs: float) -> tuple[float, float]:
    first = heights[peaks < peaks[0] + 10 * fs]
    top = np.sort(first)[-max(1, min(5, first.size // 3 or 1)) :]
    spk = float(np.median(top))
    npk = float(np.median(first)) * 0.5
    return spk, min(npk, spk * 0.3)


def _slope_at(energy: np.ndarray, position: int, fs: float) -> float:
    half = int(0.075 * fs)
    return float(energy[max(0, position - half) : position + half + 1].max())


def _classify(peaks: np.ndarray, heights: np.ndarray, energy: np.ndarray, fs: float) -> list[int]:
    spk, npk = _initial_levels(peaks, heights, fs)
    threshold = npk + 0.25 * (spk - npk)
    beats: list[int] = []
    slopes: list[float] = []
    rr_recent: list[float] = []
    positions = peaks.tolist()
    t_window = int(T_WAVE_WINDOW_S * fs)
    refractory = int(REFRACTORY_S * fs)
    quiet = int(1.5 * fs)
    spk_at_beat = spk
    for position, height in zip(positions, heights.tolist(), strict=True):
        wait = max(quiet, int(1.5 * float(np.mean(rr_recent)))) if rr_recent else quiet
        if beats and position - beats[-1] > wait:
            # No beat for a while: the signal level decays (halved per second of silence
            # beyond 1.5 s, or 1.5 recent RR) to a third at most, so that one burst cannot
            # blind the detector for the rest of the record.
            silence = (position - beats[-1] - wait) / fs
            floor = max(spk_at_beat / 3.0, 2.0 * npk)
            spk = min(spk, max(spk_at_beat * 0.5**silence, floor))
            threshold = npk + 0.25 * (spk - npk)
        if beats and rr_recent:
            limit = 1.66 * float(np.mean(rr_recent))
            if position - beats[-1] > limit:
                missed = _search_back(
                    positions, heights, beats[-1], position, threshold, refractory
                )
                if missed is not None:
                    beats.append(positions[missed])
                    slopes.append(_slope_at(energy, positions[missed], fs))
                    spk = 0.25 * float(heights[missed]) + 0.75 * spk
                    rr_recent = ([*rr_recent, beats[-1] - beats[-2]])[-8:]
        if height > threshold:
            slope = _slope_at(energy, position, fs)
            if beats and position - beats[-1] < t_window and slope < 0.4 * slopes[-1]:
                npk = 0.125 * height + 0.875 * npk
            else:
                if beats:
                    rr_recent = ([*rr_recent, position - beats[-1]])[-8:]
                beats.append(position)
                slopes.append(slope)
                spk = 0.125 * min(height, 3.0 * spk) + 0.875 * spk
                spk_at_beat = spk
        else:
            npk = 0.125 * min(height, spk) + 0.875 * npk
        threshold = npk + 0.25 * (spk - npk)
    return beats


def _search_back(
    positions: list[int],
    heights: np.ndarray,
    last: int,
    current: int,
    threshold: float,
    refractory: int,
) -> int | None:
    lo = bisect.bisect_right(positions, last + refractory)
    hi = bisect.bisect_left(positions, current - refractory)
    if hi <= lo:
        return None
    best = lo + int(np.argmax(heights[lo:hi]))
    return best if heights[best] > 0.5 * threshold else None


def _refine(beats: np.ndarray, energy: np.ndarray, fs: float) -> np.ndarray:
    """Move each beat to the steepest slope within ±80 ms of the envelope peak."""
    if beats.size == 0:
        return beats
    half = int(0.08 * fs)
    offsets = np.arange(-half, half + 1)
    idx = np.clip(beats[:, None] + offsets[None, :], 0, energy.size - 1)
    refined = idx[np.arange(beats.size), np.argmax(energy[idx], axis=1)]
    return np.unique(refined)
