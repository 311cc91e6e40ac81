"""Signal quality per lead: flat line, lead-off, saturation (clipping), noise, baseline wander."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .filters import smooth

PROBLEM_LABELS = {
    "flat": "直线（无信号）",
    "lead_off": "导联脱落",
    "saturation": "信号饱和（削顶）",
    "noise": "噪声干扰",
    "wander": "基线漂移",
}
# Problems that make a lead useless for measurement; noise and wander only lower confidence.
UNUSABLE = {"flat", "lead_off", "saturation"}


@dataclass
class LeadQuality:
    lead: str
    problems: list[str] = field(default_factory=list)
    amplitude_mv: float = 0.0
    noise_ratio: float = 0.0

    @property
    def usable(self) -> bool:
        return not UNUSABLE.intersection(self.problems)

    @property
    def clean(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {
            "lead": self.lead,
            "usable": self.usable,
            "problems": self.problems,
            "labels": [PROBLEM_LABELS[p] for p in self.problems],
            "amplitude_mv": round(self.amplitude_mv, 3),
            "noise_ratio": round(self.noise_ratio, 3),
        }


def _longest_constant_run(x: np.ndarray) -> int:
    """Length of the longest stretch of (numerically) unchanged samples, vectorised."""
    still = np.abs(np.diff(x)) < 1e-5
    if not still.any():
        return 0
    edges = np.diff(np.concatenate(([0], still.view(np.int8), [0])))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int((stops - starts).max()) + 1


def lead_quality(
    data: np.ndarray, filtered: np.ndarray, fs: float, leads: list[str]
) -> list[LeadQuality]:
    """`filtered` is `data` band-passed 0.5–40 Hz. High-frequency noise is estimated from the
    median absolute second difference (the QRS occupies too little of the record to move a
    median; every third sample is enough); baseline wander is what the band-pass removed
    below 0.5 Hz."""
    band_span = filtered.max(axis=1) - filtered.min(axis=1)
    second = np.abs(data[:, 2::3] - 2 * data[:, 1:-1:3] + data[:, :-2:3])
    noise = np.median(second, axis=1) / 0.6745 / np.sqrt(6)
    wander = smooth(data - filtered, max(1, int(0.25 * fs)))
    wander_span = wander.max(axis=1) - wander.min(axis=1)
    top, bottom = data.max(axis=1), data.min(axis=1)
    # a lead whose ordinary samples sit beyond ±15 mV is saturated; one burst is not (the
    # segment quality excludes that stretch)
    low, high = np.percentile(data[:, :: max(1, data.shape[1] // 100_000)], [2, 98], axis=1)
    railed = ((data >= top[:, None] - 1e-4) | (data <= bottom[:, None] + 1e-4)).mean(axis=1)
    still = (np.abs(np.diff(data, axis=1)) < 1e-5).sum(axis=1)
    deviation = data.std(axis=1)
    result = []
    for i, lead in enumerate(leads):
        q = LeadQuality(lead, amplitude_mv=float(band_span[i]))
        if band_span[i] < 0.04 or deviation[i] < 0.005:
            q.problems.append("flat")
            result.append(q)
            continue
        longest = _longest_constant_run(data[i]) if still[i] >= 0.02 * fs else 0
        if (railed[i] > 0.01 and longest >= 0.02 * fs) or max(abs(high[i]), abs(low[i])) >= 15:
            q.problems.append("saturation")
        if longest >= 1.0 * fs:
            q.problems.append("lead_off")
        q.noise_ratio = float(noise[i]) / max(float(band_span[i]), 1e-6)
        if noise[i] > 0.05 or q.noise_ratio > 0.15:
            q.problems.append("noise")
        if wander_span[i] > 2.0:
            q.problems.append("wander")
        result.append(q)
    return result
