"""Beat-by-beat classification: QRS width and morphology of every beat, and runs of wide
(ventricular) beats.

Width: on the summed absolute slope of all usable leads, the stretch around the beat where
the slope stays above a fifth of its peak (dips shorter than 20 ms, the R apex, are inside).
Morphology: the correlation of the beat (±100 ms, all leads) with the record's median beat.
A beat is ventricular when it is unlike the dominant beat (another morphology: a PVC or a VT
complex among sinus beats), or wide in a record whose dominant beat is itself wide. A run
counts when its beats look like each other: a train of artefacts does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .filters import smooth

CORE_S = 0.10


@dataclass
class BeatClasses:
    width_ms: np.ndarray
    likeness: np.ndarray  # correlation with the dominant (median) beat
    ventricular: np.ndarray  # bool
    dominant_width_ms: float
    segments: np.ndarray  # (leads, beats, samples) around each beat, for run consistency


def _slope(data: np.ndarray, fs: float) -> np.ndarray:
    band = smooth(data, max(1, int(0.016 * fs)))
    step = max(1, int(0.004 * fs))
    slope = np.zeros_like(band)
    slope[..., step:-step] = band[..., 2 * step :] - band[..., : -2 * step]
    total = np.abs(slope).sum(axis=0) if slope.ndim == 2 else np.abs(slope)
    return smooth(total, max(1, int(0.008 * fs)))


def slope_signal(data: np.ndarray, fs: float) -> np.ndarray:
    """Summed absolute slope of all leads (a 16 ms smoothing, an 8 ms difference)."""
    return _slope(data, fs)


def flat_share(slope: np.ndarray, fs: float) -> float:
    """Share of the time the signal is nearly still (slope under a tenth of its 95th
    percentile): the isoelectric line between organised complexes; a sine-like flutter or
    fibrillation wave has almost none. `slope` is `slope_signal` of the stretch."""
    if slope.size < int(fs):
        return 1.0
    top = float(np.percentile(slope, 95))
    return float((slope < 0.1 * top).mean()) if top > 0 else 1.0


def classify_beats(
    data: np.ndarray,
    beats: np.ndarray,
    fs: float,
    wide_ms: float,
    slope: np.ndarray | None = None,
) -> BeatClasses:
    """`data`: band-passed usable leads (leads, samples); `beats`: fiducial sample indices;
    `slope`: `slope_signal(data)` when the caller has it already."""
    n = data.shape[1]
    count = beats.size
    widths = np.zeros(count)
    if count == 0:
        empty = np.zeros(0)
        return BeatClasses(
            empty, empty, np.zeros(0, dtype=bool), 0.0, np.zeros((data.shape[0], 0, 0))
        )
    slope = _slope(data, fs) if slope is None else slope
    search = int(0.06 * fs)
    reach = int(0.16 * fs)
    hold = max(1, int(0.02 * fs))
    for k, b in enumerate(beats.tolist()):
        lo = max(0, b - reach)
        hi = min(n, b + reach)
        if k > 0:
            lo = max(lo, (beats[k - 1] + b) // 2)
        if k + 1 < count:
            hi = min(hi, (b + beats[k + 1]) // 2)
        window = slope[lo:hi]
        if window.size < 3:
            continue
        centre = b - lo
        a0, a1 = max(0, centre - search), min(window.size, centre + search + 1)
        peak_at = a0 + int(np.argmax(window[a0:a1]))
        floor = float(np.percentile(window, 10))
        level = floor + 0.2 * (float(window[peak_at]) - floor)
        # the stretch above the level around the peak, dips shorter than `hold` bridged:
        # onset where the `hold` samples before it are all below, offset where the `hold`
        # samples after it are
        counts = np.concatenate(([0], np.cumsum(window > level)))
        j = np.arange(peak_at + 1)
        quiet_before = counts[j] - counts[np.maximum(0, j - hold)] == 0
        onset = int(np.flatnonzero(quiet_before)[-1])
        j = np.arange(peak_at, window.size)
        after = (
            counts[np.minimum(window.size, j + 1 + hold)] - counts[np.minimum(window.size, j + 1)]
        )
        quiet_after = (after == 0) | (j == window.size - 1)
        offset = int(j[np.flatnonzero(quiet_after)[0]])
        widths[k] = (offset - onset) / fs * 1000
    segments = _segments(data, beats, fs)
    likeness = _correlation(segments, np.median(segments, axis=1)) if count >= 3 else np.ones(count)
    dominant = widths[likeness >= np.percentile(likeness, 50)] if count >= 4 else widths
    dominant_width = float(np.median(dominant)) if dominant.size else 0.0
    # Unlike the dominant beat (a PVC, a VT complex among sinus beats); or, in a record whose
    # dominant beat is itself wide (bundle branch block, sustained VT), every wide beat.
    unlike = likeness < UNLIKE
    ventricular = unlike | ((widths >= wide_ms) & (dominant_width >= wide_ms))
    return BeatClasses(widths, likeness, ventricular, dominant_width, segments)


UNLIKE = 0.8  # correlation with the dominant beat below which a beat is another morphology
RUN_ALIKE = 0.6  # the beats of a run correlate at least this well with the run's own median
RUN_STEADY = 0.3  # VT is nearly regular: median successive RR change ≤ this share of the RR
MAX_VT_RATE = 300.0  # an interval shorter than 200 ms inside a run is an artefact, not VT


def _segments(data: np.ndarray, beats: np.ndarray, fs: float) -> np.ndarray:
    """(leads, beats, samples): ±100 ms around each fiducial (zeros beyond the record)."""
    half = int(CORE_S * fs)
    padded = np.pad(data, ((0, 0), (half, half)))
    idx = beats[:, None] + np.arange(0, 2 * half)[None, :]
    return padded[:, idx]


def _correlation(segments: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Correlation of each beat (all leads together) with a template (leads, samples)."""
    a = segments - segments.mean(axis=2, keepdims=True)
    b = (template - template.mean(axis=1, keepdims=True))[:, None, :]
    num = (a * b).sum(axis=(0, 2))
    den = np.sqrt((a * a).sum(axis=(0, 2)) * (b * b).sum(axis=(0, 2))) + 1e-12
    return num / den


@dataclass
class Run:
    first: int  # index into beats
    last: int
    rate: float
    width_ms: float


def _bridged(rr: np.ndarray, longest: float) -> np.ndarray:
    """Intervals with beats missed by the detector bridged: an interval two or three times
    (±12 %) its two neighbours, when these are short enough to belong to a run and agree
    with each other (±25 %), is taken as that many equal intervals, so one complex the
    detector missed during a regular wide-complex run neither ends the run nor makes it look
    irregular. Irregular intervals (noise, fibrillation) are left as they are."""
    if rr.size < 3:
        return rr
    before = np.concatenate(([np.inf], rr[:-1]))
    after = np.concatenate((rr[1:], [np.inf]))
    ref = (before + after) / 2
    steady = (before <= longest) & (after <= longest) & (np.abs(before - after) <= 0.25 * ref)
    out = rr.copy()
    for k in (2, 3):
        hit = steady & (np.abs(rr - k * ref) <= 0.12 * k * ref)
        out[hit] = rr[hit] / k
    return out


def ventricular_runs(
    beats: np.ndarray,
    classes: BeatClasses,
    fs: float,
    *,
    min_beats: int,
    min_rate: float,
    excluded: np.ndarray | None = None,
    seg: int = 1,
) -> list[Run]:
    """Runs of at least `min_beats` consecutive ventricular beats whose rate is above
    `min_rate`: every interval inside the run lies between 200 ms and 60/min_rate × 1.25,
    the mean interval gives the rate, the rhythm is nearly regular and the beats look alike.
    A run does not cross an excluded segment."""
    out: list[Run] = []
    if beats.size < min_beats:
        return out
    longest_rr = 60.0 / min_rate * 1.25 * fs
    shortest_rr = 60.0 / MAX_VT_RATE * fs
    ok = classes.ventricular.copy()
    if excluded is not None and excluded.size:
        ok &= ~excluded[np.minimum(beats // seg, excluded.size - 1)]
    intervals = _bridged(np.diff(beats).astype(float), longest_rr)
    k = 0
    count = beats.size
    while k < count:
        if not ok[k]:
            k += 1
            continue
        j = k
        while j + 1 < count and ok[j + 1] and shortest_rr <= intervals[j] <= longest_rr:
            j += 1
        if j - k + 1 >= min_beats:
            rr = intervals[k:j] / fs
            rate = 60.0 / float(np.mean(rr))
            run = classes.segments[:, k : j + 1]
            # a run of one repeated ventricular complex, not a train of artefacts
            # (the sign is left out: a fiducial on the other slope of the same complex flips it)
            similarity = np.abs(_correlation(run, np.median(run, axis=1)))
            alike = float(np.median(similarity)) >= RUN_ALIKE
            steady = float(np.median(np.abs(np.diff(rr)))) <= RUN_STEADY * float(np.median(rr))
            if rate >= min_rate and alike and steady:
                width = float(np.median(classes.width_ms[k : j + 1]))
                out.append(Run(k, j, rate, width))
        k = j + 1
    return out


MISSED_ALIKE = 0.85  # a missed complex correlates at least this well with its two neighbours


def missed_complexes(
    data: np.ndarray, beats: np.ndarray, classes: BeatClasses, fs: float, *, min_rate: float
) -> np.ndarray:
    """Complexes the detector missed inside a wide-complex run, found by template. Between
    two ventricular beats that look alike and are more than 0.6 × the longest run interval
    apart (450 ms at 100/min) and at most twice it, the stretch around the midpoint (±12 % of
    the interval) is compared with the mean of the two; a spot correlating at least
    `MISSED_ALIKE` with at least half their amplitude is a complex of the same run (a
    detector that skips or misplaces a wide, low-frequency complex makes a regular VT look
    irregular or slow). Returns the sample indices of the complexes found; they serve the run
    search only, not the beat count."""
    if beats.size < 2 or classes.segments.shape[2] == 0:
        return np.zeros(0, dtype=int)
    half = int(CORE_S * fs)
    longest = 60.0 / min_rate * 1.25 * fs
    n = data.shape[1]
    found: list[int] = []
    for k in np.flatnonzero(classes.ventricular[:-1] & classes.ventricular[1:]).tolist():
        a, b = int(beats[k]), int(beats[k + 1])
        rr = b - a
        if not 0.6 * longest < rr <= 2 * longest:
            continue
        pair = classes.segments[:, k : k + 2]
        if float(_correlation(pair[:, :1], pair[:, 1])[0]) < MISSED_ALIKE:
            continue
        template = pair.mean(axis=1)
        reach = int(0.12 * rr)
        mid = (a + b) // 2
        c0, c1 = max(half, mid - reach), min(n - half, mid + reach)
        if c1 < c0:
            continue
        score = _sliding_match(data[:, c0 - half : c1 + half], template)
        at = c0 + int(np.argmax(score))
        if float(score.max()) < MISSED_ALIKE:
            continue
        span = float(np.ptp(data[:, at - half : at + half], axis=1).sum())
        if span >= 0.5 * float(np.ptp(template, axis=1).sum()):
            found.append(at)
    return np.asarray(found, dtype=int)


def _sliding_match(stretch: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Correlation (all leads together) of a template (leads, m) with every m-sample window
    of `stretch` (leads, samples)."""
    m = template.shape[1]
    b = template - template.mean(axis=1, keepdims=True)
    num = sum(np.correlate(x, t, "valid") for x, t in zip(stretch, b, strict=True))
    zero = np.zeros((stretch.shape[0], 1))
    c1 = np.concatenate((zero, np.cumsum(stretch, axis=1)), axis=1)
    c2 = np.concatenate((zero, np.cumsum(stretch * stretch, axis=1)), axis=1)
    total = c1[:, m:] - c1[:, :-m]
    energy = (c2[:, m:] - c2[:, :-m]) - total * total / m
    den = np.sqrt(np.maximum(energy.sum(axis=0), 0) * float((b * b).sum())) + 1e-12
    return np.asarray(num) / den
