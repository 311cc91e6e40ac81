"""Signal quality judged per 1 s segment of each lead, so that a bad stretch (lead off, missing
data, an artefact burst, samples that wrap round, heavy noise) is excluded from the analysis
and reported as excluded, instead of producing pauses, zero rates or false runs.

A lead-segment is bad when, compared with the same lead's typical segment:
- it has no signal (the samples stand still: lead off, missing data, a railed amplifier);
- its amplitude is many times the lead's typical amplitude (a burst, a disconnection swing);
- it jumps between two samples by far more than any QRS slope of the lead (wrap-round of the
  ADC, a cable knock);
- its high-frequency noise is large against the lead's typical amplitude (muscle, motion).
A stretch where every detection lead is bad is excluded from the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

SEGMENT_S = 1.0
REASONS = {
    "flat": "无信号",
    "burst": "伪差（幅度异常）",
    "jump": "信号跳变",
    "noise": "噪声过大",
}


@dataclass
class SegmentQuality:
    seg: int  # samples per segment
    bad: np.ndarray  # (leads, segments) bool
    reason: np.ndarray  # (leads, segments) str ("" where good)

    def excluded(self, leads: list[int]) -> np.ndarray:
        """Segments bad in every one of `leads`."""
        return np.asarray(self.bad[leads].all(axis=0), dtype=bool)

    def sample_mask(self, leads: list[int], n: int) -> np.ndarray:
        """True for every sample of an excluded segment."""
        return np.repeat(self.excluded(leads), self.seg)[:n]

    def lead_mask(self, n: int) -> np.ndarray:
        """(leads, samples): True where that lead's segment is bad."""
        return np.repeat(self.bad, self.seg, axis=1)[:, :n]

    def spans(self, leads: list[int], fs: float) -> list[dict[str, Any]]:
        """Excluded stretches as (start_s, end_s, reasons, label), adjacent segments merged."""
        excluded = self.excluded(leads)
        out: list[dict[str, Any]] = []
        for k in np.flatnonzero(excluded):
            reasons = [str(r) for r in self.reason[leads, k] if r]
            reason = max(set(reasons), key=reasons.count) if reasons else "noise"
            start, end = k * self.seg / fs, (k + 1) * self.seg / fs
            if out and abs(float(out[-1]["end_s"]) - start) < 1e-6:
                out[-1]["end_s"] = round(end, 2)
                if reason not in out[-1]["reasons"]:
                    out[-1]["reasons"].append(reason)
                continue
            out.append({"start_s": round(start, 2), "end_s": round(end, 2), "reasons": [reason]})
        for span in out:
            span["label"] = "、".join(REASONS[r] for r in span["reasons"])
        return out


def segment_quality(data: np.ndarray, filtered: np.ndarray, fs: float) -> SegmentQuality:
    """`data` raw mV, `filtered` band-passed 0.5–40 Hz, both (leads, samples)."""
    seg = max(1, round(SEGMENT_S * fs))
    n_leads, n = data.shape
    count = -(-n // seg)
    pad = count * seg - n
    f = np.pad(filtered, ((0, 0), (0, pad)), mode="edge").reshape(n_leads, count, seg)
    raw = np.pad(data, ((0, 0), (0, pad)), mode="edge").reshape(n_leads, count, seg)
    span = f.max(axis=2) - f.min(axis=2)
    step = np.abs(np.diff(raw, axis=2)).max(axis=2)
    second = np.abs(raw[:, :, 2:] - 2 * raw[:, :, 1:-1] + raw[:, :, :-2])
    noise = np.median(second, axis=2) / 0.6745 / np.sqrt(6)
    # No signal: the samples do not change (lead off, missing data, a railed amplifier). A
    # real pause or asystole still carries the amplifier's noise and is not excluded.
    still = (np.abs(np.diff(raw, axis=2)) < 1e-6).mean(axis=2)
    live = (still < 0.8) & (raw.max(axis=2) - raw.min(axis=2) >= 0.005)
    # the lead's typical segment: the median over segments that carry a signal
    typical_span = np.array(
        [np.median(span[i, live[i]]) if live[i].any() else 0.0 for i in range(n_leads)]
    )
    typical_step = np.array(
        [np.percentile(step[i, live[i]], 75) if live[i].any() else 0.0 for i in range(n_leads)]
    )
    bad = np.zeros((n_leads, count), dtype=bool)
    reason = np.full((n_leads, count), "", dtype=object)

    def mark(mask: np.ndarray, why: str) -> None:
        new = mask & ~bad
        reason[new] = why
        bad[:] |= mask

    mark(~live, "flat")
    mark(span > np.maximum(6.0 * typical_span[:, None], 1.0), "burst")
    mark(step > np.maximum(4.0 * typical_step[:, None], 1.0), "jump")
    # noise large against the segment's own amplitude (a QRS stands far above muscle noise)
    mark(noise > np.maximum(0.12 * typical_span[:, None], 0.02), "noise")
    # the last partial segment judges by its whole length (edge padding repeats a value)
    return SegmentQuality(seg, bad, reason)
